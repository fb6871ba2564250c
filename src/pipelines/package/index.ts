/**
 * The public face of pipeline packaging: what `pipelines apply` ships (the spec, one bundle per `fn`
 * module, a snapshot of the pipeline directory) and the server's reader of it.
 */
export { bundleFnSteps } from './bundle-fn-steps.js';
export { type LoadedPipeline, loadPipelineFile } from './load-pipeline-file.js';
export type { BundleInfo, FnBundle, PackageManifest } from './package-layout.js';
export {
  type AppliedPackage,
  type ReadApplyPackageOptions,
  readApplyPackage,
  type StoredBlob,
} from './read-apply-package.js';
export {
  MAX_SNAPSHOT_BYTES,
  MAX_SNAPSHOT_FILES,
  type SnapshotFile,
  type SnapshotLimits,
  snapshotFiles,
} from './snapshot-files.js';
export { type ApplyPackageInput, writeApplyPackage } from './write-apply-package.js';

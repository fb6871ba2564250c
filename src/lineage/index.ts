/** The lineage graph over datasets, runs and model versions (later pipeline runs and deployments). */
export { LineageRecorder } from './lineage-recorder.js';
export {
  datasetNode,
  type EdgeInput,
  modelNode,
  NODE_KINDS,
  type NodeKind,
  type ParsedNode,
  parseNode,
  type Relation,
  runNode,
} from './node-keys.js';

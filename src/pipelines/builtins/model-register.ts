/**
 * `model.register` {name, run, path?} -> {model}: registers the ONNX artifact `path` of tracking run
 * `run` (default the AutoML model, model/model.onnx) as the next version of model `name`. An AutoML
 * run's model is registered with what the job registered it with (features, classes, datasets,
 * metrics), so the new version serves named features and evaluates like the job's own.
 */
import type { RegisterInput } from '../../registry/index.js';
import { type AutomlJob, MODEL_ARTIFACT } from '../../training/index.js';
import { withInputErrors } from './input-errors.js';
import { checkInputNames, optionalString, requiredString } from './inputs.js';
import { throwIfAborted } from './signals.js';
import type { BuiltinDeps, BuiltinInvocation, BuiltinOutputs } from './types.js';

const FIELDS = { 'model name': 'name', source: 'path', run: 'run' };
const BY_CODE: Readonly<Record<string, string>> = {
  RUN_NOT_FOUND: 'run',
  ARTIFACT_NOT_FOUND: 'path',
  INVALID_ARTIFACT_PATH: 'path',
  INVALID_MODEL: 'path',
};
const byCode = (error: { code: string }) => BY_CODE[error.code];
/** Newest jobs first; a pipeline registers a recent run, so this bounds the look-up, not the outcome. */
const MAX_JOB_PAGES = 20;
const JOB_PAGE_SIZE = 200;

export async function modelRegister(
  invocation: BuiltinInvocation,
  deps: BuiltinDeps,
): Promise<BuiltinOutputs> {
  const { inputs, ctx, log, signal } = invocation;
  checkInputNames('model.register', inputs);
  const name = requiredString(inputs, 'name');
  const run = requiredString(inputs, 'run');
  const path = optionalString(inputs, 'path') ?? MODEL_ARTIFACT;
  const [runInfo, artifact] = await withInputErrors(
    () => Promise.all([deps.tracking.runs.get(run), deps.tracking.artifacts.stat(run, path)]),
    FIELDS,
    byCode,
  );
  const inherited =
    runInfo.tags['slipway.automl'] === 'true' ? await automlMetadata(deps, run, artifact.digest) : undefined;
  throwIfAborted(signal);
  const source = `runs/${run}/artifacts/${artifact.path}`;
  log(
    `registering ${source} as model '${name}'${inherited === undefined ? '' : ` with the metadata of ${inherited.from}`}`,
  );
  const version = await withInputErrors(
    () =>
      deps.registry.versions.registerFromSource(ctx, name, {
        ...inherited?.input,
        source,
        run,
        tags: { 'slipway.pipeline.run': invocation.run, 'slipway.pipeline.step': invocation.step },
      }),
    FIELDS,
    byCode,
  );
  const reference = `${version.model}@${version.version}`;
  log(`registered ${reference} (${version.size} bytes, sha256 ${version.digest.slice(0, 12)})`);
  return { model: reference };
}

/**
 * The registration input of the version the run's AutoML job registered, when it is these very bytes;
 * undefined for a job that registered nothing (the version then has no feature metadata).
 */
async function automlMetadata(
  deps: BuiltinDeps,
  run: string,
  digest: string,
): Promise<{ from: string; input: RegisterInput } | undefined> {
  const job = await findJobOfRun(deps, run);
  const registered = job?.result?.modelVersion;
  if (registered === undefined) return undefined;
  const version = await deps.registry.versions.resolve(registered).catch(() => undefined);
  if (version === undefined || version.digest !== digest) return undefined;
  return {
    from: registered,
    input: {
      datasets: version.datasets.map((link) => ({ ref: `${link.dataset}@${link.version}`, role: link.role })),
      metrics: version.metrics,
      description: version.description,
      ...(version.features === undefined ? {} : { features: version.features }),
      ...(version.classes === undefined ? {} : { classes: version.classes }),
    },
  };
}

async function findJobOfRun(deps: BuiltinDeps, run: string): Promise<AutomlJob | undefined> {
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_JOB_PAGES; page++) {
    const jobs = await deps.training.automl.list({
      limit: JOB_PAGE_SIZE,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    const job = jobs.items.find((candidate) => candidate.run === run);
    if (job !== undefined) return job;
    if (jobs.nextPageToken === undefined) return undefined;
    pageToken = jobs.nextPageToken;
  }
  return undefined;
}

/**
 * `train` {dataset, target, trials?, metric?, timeBudgetSeconds?, register?} -> {run, model, metrics}:
 * an AutoML job on the dataset version, followed to its end. The refit best model is registered under
 * `register` (default: the dataset's name); `metrics` are its holdout metrics.
 */
import { InvalidError } from '../../core/errors.js';
import { loadDatasetVersion } from '../../data/index.js';
import { METRIC_NAMES, type MetricName } from '../../training/index.js';
import { finiteOrNull } from './finite-metrics.js';
import { followJob, formatScore } from './follow-job.js';
import { withInputErrors } from './input-errors.js';
import {
  checkInputNames,
  optionalInteger,
  optionalNumber,
  optionalString,
  requiredReference,
  requiredString,
} from './inputs.js';
import { throwIfAborted } from './signals.js';
import type { BuiltinDeps, BuiltinInvocation, BuiltinOutputs } from './types.js';

/** Service fields -> step inputs. */
const FIELDS = {
  dataset: 'dataset',
  target: 'target',
  metric: 'metric',
  maxTrials: 'trials',
  timeBudgetSeconds: 'timeBudgetSeconds',
  register: 'register',
  'model name': 'register',
};

export async function train(invocation: BuiltinInvocation, deps: BuiltinDeps): Promise<BuiltinOutputs> {
  const { inputs, ctx, log, signal } = invocation;
  checkInputNames('train', inputs);
  const dataset = requiredReference(inputs, 'dataset', 'dataset');
  const target = requiredString(inputs, 'target');
  const trials = optionalInteger(inputs, 'trials');
  const metric = metricOf(optionalString(inputs, 'metric'));
  const timeBudgetSeconds = optionalNumber(inputs, 'timeBudgetSeconds');
  const { version } = await withInputErrors(
    () => loadDatasetVersion(deps.database.db, dataset),
    FIELDS,
    'dataset',
  );
  const register = optionalString(inputs, 'register') ?? version.dataset;
  throwIfAborted(signal);
  const started = await withInputErrors(
    () =>
      deps.training.automl.start(ctx, {
        dataset: `${version.dataset}@${version.version}`,
        target,
        register,
        ...(trials === undefined ? {} : { maxTrials: trials }),
        ...(metric === undefined ? {} : { metric }),
        ...(timeBudgetSeconds === undefined ? {} : { timeBudgetSeconds }),
      }),
    FIELDS,
  );
  log(
    `started AutoML job ${started.id} (run ${started.run}) on ${started.dataset} predicting '${target}' (${started.task})`,
  );
  const job = await followJob(deps.training, ctx, started, log, signal);
  const result = job.result;
  if (result?.modelVersion === undefined) {
    throw new Error(`AutoML job ${job.id} succeeded without registering a model under '${register}'`);
  }
  log(
    `best trial ${result.best.trial} (${result.best.family}), cv ${job.metric} ${formatScore(result.best.score)}; registered ${result.modelVersion}`,
  );
  return { run: job.run, model: result.modelVersion, metrics: finiteOrNull(result.holdout.metrics) };
}

function metricOf(raw: string | undefined): MetricName | undefined {
  if (raw === undefined) return undefined;
  const metric = METRIC_NAMES.find((name) => name === raw);
  if (metric === undefined) {
    throw new InvalidError(`inputs.metric must be one of ${METRIC_NAMES.join(', ')}, got '${raw}'`, {
      field: 'inputs.metric',
      value: raw,
    });
  }
  return metric;
}

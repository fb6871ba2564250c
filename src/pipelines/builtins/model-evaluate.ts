/**
 * `model.evaluate` {model, dataset, target} -> {metrics, auc, accuracy}: scores a classifier version on
 * a dataset version through the serving runtime and computes ROC AUC, accuracy, log loss, F1,
 * precision and recall, also logged to the pipeline run as `<step>/<metric>`.
 *
 * Regressors are refused up front: `auc` and `accuracy` are declared number outputs and JSON has no
 * NaN, and a made-up 0 would pass or fail a gate for the wrong reason. Evaluating regressors wants
 * those outputs optional in BUILTIN_SCHEMAS (training's regressionMetrics would then do the rest).
 */
import { InvalidError } from '../../core/errors.js';
import { loadDatasetVersion } from '../../data/index.js';
import { parseModelReference } from '../../registry/index.js';
import { evaluateClassifier } from './evaluation-metrics.js';
import { finiteOrNull } from './finite-metrics.js';
import { withInputErrors } from './input-errors.js';
import { checkInputNames, requiredReference, requiredString } from './inputs.js';
import { scoreRows } from './scored-rows.js';
import { throwIfAborted } from './signals.js';
import type { BuiltinDeps, BuiltinInvocation, BuiltinOutputs } from './types.js';

export async function modelEvaluate(
  invocation: BuiltinInvocation,
  deps: BuiltinDeps,
): Promise<BuiltinOutputs> {
  const { inputs, ctx, log, signal } = invocation;
  checkInputNames('model.evaluate', inputs);
  const modelRef = requiredReference(inputs, 'model', 'model');
  const datasetRef = requiredReference(inputs, 'dataset', 'dataset');
  const target = requiredString(inputs, 'target');
  const model = await withInputErrors(
    () => deps.registry.versions.resolve(parseModelReference(modelRef, 'inputs.model')),
    {},
    'model',
  );
  const name = `${model.model}@${model.version}`;
  const classes = model.classes;
  if (classes === undefined) {
    throw new InvalidError(
      `inputs.model: ${name} has no classes, so it is not a classifier; model.evaluate's auc and accuracy outputs need one`,
      { field: 'inputs.model', value: name },
    );
  }
  const { version: dataset } = await withInputErrors(
    () => loadDatasetVersion(deps.database.db, datasetRef),
    {},
    'dataset',
  );
  const data = `${dataset.dataset}@${dataset.version}`;
  const columns = new Set(dataset.columns.map((column) => column.name));
  if (!columns.has(target)) {
    throw new InvalidError(
      `inputs.target: '${target}' is not a column of ${data}; its columns are ${[...columns].join(', ')}`,
      { field: 'inputs.target', value: target },
    );
  }
  const wanted = model.featureNames ?? model.signature.inputs.map((input) => input.name);
  const missing = wanted.filter((feature) => !columns.has(feature));
  if (missing.length > 0) {
    throw new InvalidError(
      `inputs.dataset: ${data} lacks the column(s) ${name} reads: ${missing.join(', ')}`,
      {
        field: 'inputs.dataset',
        missing,
      },
    );
  }
  throwIfAborted(signal);
  log(`evaluating ${name} on ${data} (${dataset.rowCount} rows), target '${target}'`);
  const scored = await scoreRows(deps, { ...model, classes }, dataset, target, signal, log);
  const rows = scored.labels.length;
  if (rows === 0) {
    throw new InvalidError(`inputs.dataset: ${data} has no row with a value of '${target}' to evaluate on`, {
      field: 'inputs.dataset',
    });
  }
  const metrics = evaluateClassifier(scored.probabilities, scored.labels, classes.length);
  const auc = metrics.roc_auc!;
  if (!Number.isFinite(auc)) {
    throw new InvalidError(
      `inputs.dataset: ROC AUC of ${name} on ${data} is undefined: the ${rows} rows hold only one class of '${target}'`,
      { field: 'inputs.dataset' },
    );
  }
  await deps.tracking.metrics.logBatch(ctx, invocation.run, {
    metrics: Object.entries(metrics).map(([key, value]) => ({
      key: `${metricPrefix(invocation.step)}/${key}`,
      value,
    })),
  });
  const skipped = scored.skipped > 0 ? ` (${scored.skipped} rows without a target skipped)` : '';
  const shown = Object.entries(metrics).map(([key, value]) => `${key} ${value.toPrecision(4)}`);
  log(`${name} on ${rows} rows of ${data}${skipped}: ${shown.join(', ')}`);
  return { metrics: finiteOrNull(metrics), auc, accuracy: metrics.accuracy! };
}

/** Metric keys take letters, digits and `_ - . / : space`; other characters of a step name become '_'. */
function metricPrefix(step: string): string {
  return step.replace(/[^A-Za-z0-9_\-.: ]/g, '_') || 'evaluate';
}

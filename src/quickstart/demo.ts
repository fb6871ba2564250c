/**
 * The quickstart's demo: a learning-rate sweep for a churn model, logged through the SDK exactly as a
 * user's training script would (parent run, child runs, params, metric curves, model.onnx), then
 * read back (search, compare, verified download) so every step is proven, not assumed. The demo data
 * is pushed as dataset versions first, and the best model is registered with its lineage at the end.
 */

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Slipway } from '../client/slipway.js';
import { ConflictError } from '../core/errors.js';
import { CHURN_FEATURES, churnDataset } from './churn-data.js';
import { accuracy, logLoss, trainLogistic } from './logistic-regression.js';
import { logisticToOnnx } from './onnx-logistic.js';
import { pushDemoData, registerBestModel } from './registry-demo.js';

export const DEMO_EXPERIMENT = 'demo';
const LEARNING_RATES = [0.003, 0.01, 0.03, 0.1, 0.3];
const EPOCHS = 30;

export interface DemoResult {
  readonly experiment: string;
  readonly sweepRunId: string;
  readonly trialRunIds: readonly string[];
  readonly bestRunId: string;
  readonly bestAccuracy: number;
  /** The registered model version, e.g. `churn@1`. */
  readonly model: string;
  /** The dataset versions the model was trained and validated on. */
  readonly datasets: { readonly train: string; readonly valid: string };
}

export async function runDemo(sw: Slipway, say: (line: string) => void): Promise<DemoResult> {
  await sw.experiments
    .create({
      name: DEMO_EXPERIMENT,
      description: 'Quickstart: learning-rate sweep for a churn classifier',
      tags: { source: 'quickstart' },
    })
    .catch((error: unknown) => {
      if (!(error instanceof ConflictError)) throw error;
    });
  say(`experiment '${DEMO_EXPERIMENT}' ready`);

  const train = churnDataset(4000, 7);
  const valid = churnDataset(1000, 8);
  const datasets = await pushDemoData(sw, train, valid, say);
  const sweep = await sw.startRun({
    experiment: DEMO_EXPERIMENT,
    name: 'lr-sweep',
    params: {
      model: 'logistic_regression',
      dataset: datasets.train,
      valid_dataset: datasets.valid,
      train_rows: train.rows,
      valid_rows: valid.rows,
    },
    tags: { kind: 'sweep' },
  });

  const trials: { id: string; accuracy: number; digest: string }[] = [];
  for (const learningRate of LEARNING_RATES) {
    const run = await sw.startRun({
      experiment: DEMO_EXPERIMENT,
      name: `lr-${learningRate}`,
      parentRunId: sweep.id,
      params: {
        learning_rate: learningRate,
        l2: 0.0001,
        epochs: EPOCHS,
        batch_size: 64,
        features: CHURN_FEATURES.join(','),
      },
      tags: { kind: 'trial' },
    });
    await run.logInputs([datasets.train, datasets.valid]);
    const model = await trainLogistic(train, valid, {
      learningRate,
      l2: 0.0001,
      epochs: EPOCHS,
      batchSize: 64,
      seed: 42,
      onEpoch: (stats) =>
        run.logMetrics(
          {
            'train/loss': stats.trainLoss,
            'valid/loss': stats.validLoss,
            'valid/accuracy': stats.validAccuracy,
          },
          stats.epoch,
        ),
    });
    const onnx = logisticToOnnx(model, CHURN_FEATURES);
    const uploaded = await run.logArtifact(Buffer.from(onnx), 'model.onnx');
    await run.logArtifact(
      Buffer.from(
        JSON.stringify({ features: CHURN_FEATURES, input: 'features', output: 'probability' }, null, 2),
      ),
      'model/signature.json',
    );
    await run.end('finished');
    const validAccuracy = accuracy(model, valid);
    trials.push({ id: run.id, accuracy: validAccuracy, digest: uploaded.digest });
    say(
      `run lr-${learningRate}: ${EPOCHS} epochs, valid/accuracy ${validAccuracy.toFixed(3)}, valid/loss ${logLoss(model, valid).toFixed(3)}`,
    );
  }

  const best = trials.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  sweep.logMetrics({ 'best/valid_accuracy': best.accuracy });
  await sweep.setTags({ best_run: best.id });
  await sweep.end('finished');
  say(`sweep finished: best run ${best.id} (valid/accuracy ${best.accuracy.toFixed(3)})`);

  // Read everything back through the API, as a user would.
  const ranked = await sw.runs.search({
    experiments: [DEMO_EXPERIMENT],
    filter: `parent_run_id = '${sweep.id}' and status = 'finished'`,
    orderBy: ['metrics.valid/accuracy desc'],
  });
  if (
    ranked.items.length !== trials.length ||
    ranked.items[0]?.metrics['valid/accuracy']?.value !== best.accuracy
  ) {
    throw new Error('search did not rank the trials by valid/accuracy as logged');
  }
  const history = await sw.runs.metricHistory(best.id, 'valid/loss');
  if (history.items.length !== EPOCHS)
    throw new Error(`expected ${EPOCHS} valid/loss points, found ${history.items.length}`);
  const comparison = await sw.runs.compare(trials.map((trial) => trial.id));
  if (!comparison.params.some((row) => row.key === 'learning_rate' && row.differs)) {
    throw new Error('compare did not show learning_rate differing between trials');
  }
  const scratch = await mkdtemp(join(tmpdir(), 'slipway-quickstart-'));
  try {
    const file = join(scratch, 'model.onnx');
    await sw.artifacts.download(best.id, 'model.onnx', file);
    const digest = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
    if (digest !== best.digest) throw new Error('downloaded model.onnx does not match what was uploaded');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  say('read back: search, metric history, compare and a verified model.onnx download all agree');
  const registered = await registerBestModel(sw, best, datasets, say);

  return {
    experiment: DEMO_EXPERIMENT,
    sweepRunId: sweep.id,
    trialRunIds: trials.map((trial) => trial.id),
    bestRunId: best.id,
    bestAccuracy: best.accuracy,
    model: `${registered.model}@${registered.version}`,
    datasets,
  };
}

/**
 * `npm run bench -- automl`: AutoML quality against scikit-learn on its classic data sets
 * (breast-cancer, wine, digits, iris: classification; diabetes: regression). Debian's python3-sklearn
 * (/usr/bin/python3) dumps each data set as CSV to a temporary folder with a fixed 80/20 split
 * (stratified for classification, random_state 0), and in the same run scores LogisticRegression
 * (with StandardScaler; Ridge for regression), HistGradientBoosting and RandomForest trained on the 80%.
 * runAutoml searches the same 80% (default space and options); its refit model is scored on the 20%
 * through its exported ONNX graph. The refit keeps out runAutoml's own 20% holdout, so it trains on 64%
 * of the rows; the table also shows the best configuration refit on the whole 80% for comparison.
 *
 * Target: classification within 1.5 accuracy points or one test row, whichever is larger; regression
 * within 5 % of the best RMSE. Options: --budget MS (60,000 per data set), --only NAME, --seed N,
 * --leaderboard N (print the N best trials with their cross-validated metrics), --metric NAME (the
 * classification data sets' search metric instead of the default).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { fitModel, predictModel, resolveAutomlOptions, runAutoml } from '../src/training/automl/index.js';
import { argmaxRows, rmse } from '../src/training/automl/metrics.js';
import type { MetricName } from '../src/training/automl/types.js';
import type { Table, Target } from '../src/training/table.js';
import { printTable } from './support/report.js';

const PYTHON = '/usr/bin/python3';
const DATASETS = ['breast_cancer', 'wine', 'digits', 'iris', 'diabetes'] as const;
type DatasetName = (typeof DATASETS)[number];

const SKLEARN_SCRIPT = `
import sys, json, numpy as np, sklearn
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
    RandomForestClassifier, RandomForestRegressor)
folder, name = sys.argv[1], sys.argv[2]
X, y = getattr(datasets, 'load_' + name)(return_X_y=True)
regression = name == 'diabetes'
rows = np.arange(len(y))
train, test = train_test_split(rows, test_size=0.2, random_state=0, stratify=None if regression else y)
np.savetxt(folder + '/x.csv', X, delimiter=',', fmt='%.17g')
np.savetxt(folder + '/y.csv', y, delimiter=',', fmt='%.17g')
np.savetxt(folder + '/test.csv', np.sort(test), fmt='%d')
if regression:
    models = {'Ridge (scaled)': make_pipeline(StandardScaler(), Ridge()),
              'HistGradientBoosting': HistGradientBoostingRegressor(random_state=0),
              'RandomForest': RandomForestRegressor(n_estimators=300, random_state=0, n_jobs=-1)}
else:
    models = {'LogisticRegression (scaled)': make_pipeline(StandardScaler(), LogisticRegression(max_iter=10000)),
              'HistGradientBoosting': HistGradientBoostingClassifier(random_state=0),
              'RandomForest': RandomForestClassifier(n_estimators=300, random_state=0, n_jobs=-1)}
scores = {}
for label, model in models.items():
    model.fit(X[train], y[train])
    predicted = model.predict(X[test])
    scores[label] = float(np.sqrt(((predicted - y[test]) ** 2).mean())) if regression else float((predicted == y[test]).mean())
print(json.dumps({'version': sklearn.__version__, 'scores': scores}))
`;

interface SklearnRun {
  readonly version: string;
  readonly scores: Readonly<Record<string, number>>;
}

function parseCsv(text: string): number[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(',').map(Number));
}

interface Split {
  readonly train: { table: Table; target: Target };
  readonly test: { table: Table; target: Target };
}

/** Features f0… (numeric); classification labels become classes named by their integer value. */
function buildSplit(x: number[][], y: number[], testRows: Set<number>, regression: boolean): Split {
  const classes = [...new Set(y)].sort((a, b) => a - b);
  const part = (rows: number[]) => {
    const table: Table = {
      rows: rows.length,
      features: x[0]!.map((_, f) => ({
        kind: 'numeric' as const,
        name: `f${f}`,
        values: Float64Array.from(rows, (row) => x[row]![f]!),
      })),
    };
    const target: Target = regression
      ? { kind: 'regression', values: Float64Array.from(rows, (row) => y[row]!) }
      : {
          kind: 'classification',
          classes: classes.map(String),
          labels: Int32Array.from(rows, (row) => classes.indexOf(y[row]!)),
        };
    return { table, target };
  };
  const all = y.map((_, row) => row);
  return {
    train: part(all.filter((row) => !testRows.has(row))),
    test: part(all.filter((row) => testRows.has(row))),
  };
}

async function loadDataset(
  name: DatasetName,
  folder: string,
): Promise<{ split: Split; sklearn: SklearnRun }> {
  const result = spawnSync(PYTHON, ['-c', SKLEARN_SCRIPT, folder, name], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`scikit-learn run failed for ${name}: ${result.stderr}`);
  const sklearn = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as SklearnRun;
  const x = parseCsv(await readFile(join(folder, 'x.csv'), 'utf8'));
  const y = parseCsv(await readFile(join(folder, 'y.csv'), 'utf8')).map((row) => row[0]!);
  const test = new Set(parseCsv(await readFile(join(folder, 'test.csv'), 'utf8')).map((row) => row[0]!));
  return { split: buildSplit(x, y, test, name === 'diabetes'), sklearn };
}

/** Accuracy (classification) or RMSE (regression) of predictions: probabilities or values. */
function score(predictions: Float64Array, target: Target): number {
  if (target.kind === 'regression') return rmse(predictions, target.values);
  const predicted = argmaxRows(predictions, target.classes.length);
  return predicted.filter((label, row) => label === target.labels[row]).length / predicted.length;
}

async function onnxPredictions(bytes: Uint8Array, table: Table, regression: boolean): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const feature of table.features) {
    if (feature.kind === 'numeric')
      feeds[feature.name] = new ort.Tensor('float32', Float32Array.from(feature.values), [table.rows, 1]);
  }
  const outputs = await session.run(feeds);
  return Float64Array.from((regression ? outputs.value : outputs.probabilities)!.data as Float32Array);
}

const percent = (value: number) => `${(100 * value).toFixed(2)} %`;

export async function runAutomlQualityBenchmark(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      budget: { type: 'string', default: '60000' },
      only: { type: 'string' },
      seed: { type: 'string', default: '0' },
      leaderboard: { type: 'string', default: '0' },
      metric: { type: 'string' },
    },
  });
  const names = DATASETS.filter((name) => values.only === undefined || values.only === name);
  const rows: string[][] = [];
  let version = '';
  for (const name of names) {
    const folder = await mkdtemp(join(tmpdir(), 'slipway-bench-automl-'));
    try {
      const { split, sklearn } = await loadDataset(name, folder);
      version = sklearn.version;
      const regression = split.train.target.kind === 'regression';
      const { table, target } = split.train;
      const options = resolveAutomlOptions(
        {
          task: target.kind,
          timeBudgetMs: Number(values.budget),
          seed: Number(values.seed),
          metric: regression ? undefined : (values.metric as MetricName | undefined),
        },
        { rows: table.rows },
      );
      const started = performance.now();
      const result = await runAutoml(table, target, options);
      const seconds = (performance.now() - started) / 1000;
      const slipway = score(
        await onnxPredictions(result.onnx, split.test.table, regression),
        split.test.target,
      );
      const refit80 = fitModel(table, target, {
        family: result.best.family,
        params: result.best.params,
        seed: options.seed,
      });
      const slipway80 = score(predictModel(refit80, split.test.table), split.test.target);
      const [bestModel, best] = Object.entries(sklearn.scores).sort(([, a], [, b]) =>
        regression ? a - b : b - a,
      )[0]!;
      const testRows = split.test.table.rows;
      const within = regression
        ? slipway <= best * 1.05
        : best - slipway <= Math.max(0.015, 1 / testRows) + 1e-12;
      const format = regression ? (v: number) => v.toFixed(2) : percent;
      const difference = regression
        ? `${(100 * (slipway / best - 1)).toFixed(1)} % RMSE`
        : `${(100 * (slipway - best)).toFixed(2)} pts`;
      rows.push([
        name,
        `${table.rows}/${testRows}`,
        `${format(slipway)} (${result.best.family}, ${result.trials.length} trials, ${seconds.toFixed(0)} s)`,
        format(slipway80),
        `${format(best)} (${bestModel})`,
        difference,
        within ? 'yes' : 'NO',
      ]);
      console.log(`${name}: done (${result.stoppedBy}); sklearn ${JSON.stringify(sklearn.scores)}`);
      for (const trial of result.leaderboard.slice(0, Number(values.leaderboard))) {
        const metrics = Object.entries(trial.metrics).map(
          ([metric, { mean }]) => `${metric} ${mean.toFixed(4)}`,
        );
        console.log(`  #${trial.id} ${trial.family} ${metrics.join(', ')} ${JSON.stringify(trial.params)}`);
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
  printTable(
    `AutoML vs scikit-learn ${version}: test accuracy (classification) / test RMSE (diabetes)`,
    [
      'data set',
      'train/test',
      'slipway runAutoml',
      'best config on 80 %',
      'sklearn best',
      'difference',
      'within target',
    ],
    rows,
  );
}

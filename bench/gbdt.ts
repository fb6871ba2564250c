/**
 * `npm run bench -- gbdt`: trains the GBDT on a synthetic 200,000 x 20 binary classification set
 * (100 trees, 31 leaves, learning rate 0.1) and, in the same run when Debian's python3-sklearn is
 * installed at /usr/bin/python3, scikit-learn's HistGradientBoostingClassifier with the same settings
 * on the same rows; prints both times, test accuracies and the ratio, and the exported model's
 * prediction throughput through onnxruntime-node (batch 1,000).
 *
 * Options: --rows N (200,000 training rows; 50,000 more are the test set), --trees N (100),
 * --threads N (0 = the trainer's automatic choice), --no-sklearn, --no-onnx.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { gbdtToOnnx, predictLabels, trainGbdt } from '../src/training/gbdt/index.js';
import { seededRandom } from '../src/training/random.js';
import type { Table, Target } from '../src/training/table.js';
import { formatCount, printTable } from './support/report.js';

const FEATURES = 20;
const PYTHON = '/usr/bin/python3';

interface Dataset {
  readonly columns: Float64Array[];
  readonly labels: Int32Array;
}

/** Standard normal features; the label is a noisy non-linear function of the first 12 features. */
function syntheticClassification(rows: number, seed: number): Dataset {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-300)) * Math.cos(2 * Math.PI * random());
  const columns = Array.from({ length: FEATURES }, () => new Float64Array(rows));
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (const column of columns) column[r] = normal();
    const x = (f: number) => columns[f]![r]!;
    const z =
      x(0) -
      0.8 * x(1) +
      0.6 * x(2) +
      x(3) * x(4) +
      Math.sin(2 * x(5)) +
      0.5 * Math.abs(x(6)) -
      0.4 * x(7) * x(7) +
      0.3 * (x(8) + x(9) - x(10) - x(11)) +
      0.5 * normal();
    labels[r] = z > 0 ? 1 : 0;
  }
  return { columns, labels };
}

function slice(data: Dataset, start: number, end: number): { table: Table; target: Target } {
  return {
    table: {
      rows: end - start,
      features: data.columns.map((column, f) => ({
        kind: 'numeric',
        name: `f${f}`,
        values: column.subarray(start, end),
      })),
    },
    target: { kind: 'classification', classes: ['0', '1'], labels: data.labels.subarray(start, end) },
  };
}

function accuracy(predicted: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) correct += predicted[i] === labels[i] ? 1 : 0;
  return correct / labels.length;
}

const SKLEARN_SCRIPT = `
import sys, time, json, numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
folder, rows, test_rows, features, trees = sys.argv[1], *map(int, sys.argv[2:6])
X = np.fromfile(folder + '/x.f64', dtype='<f8').reshape(rows + test_rows, features)
y = np.fromfile(folder + '/y.i32', dtype='<i4')
model = HistGradientBoostingClassifier(max_iter=trees, max_leaf_nodes=31, learning_rate=0.1, max_bins=255,
    min_samples_leaf=20, l2_regularization=0.0, early_stopping=False, random_state=0)
start = time.perf_counter()
model.fit(X[:rows], y[:rows])
seconds = time.perf_counter() - start
accuracy = float((model.predict(X[rows:]) == y[rows:]).mean())
import sklearn, os
print(json.dumps({'seconds': seconds, 'accuracy': accuracy, 'version': sklearn.__version__, 'threads': os.cpu_count()}))
`;

async function runSklearn(data: Dataset, rows: number, testRows: number, trees: number) {
  const folder = await mkdtemp(join(tmpdir(), 'slipway-bench-gbdt-'));
  try {
    const x = new Float64Array((rows + testRows) * FEATURES);
    for (let r = 0; r < rows + testRows; r++)
      for (let f = 0; f < FEATURES; f++) x[r * FEATURES + f] = data.columns[f]![r]!;
    await writeFile(join(folder, 'x.f64'), new Uint8Array(x.buffer));
    await writeFile(join(folder, 'y.i32'), new Uint8Array(data.labels.buffer));
    const result = spawnSync(
      PYTHON,
      ['-c', SKLEARN_SCRIPT, folder, String(rows), String(testRows), String(FEATURES), String(trees)],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`scikit-learn run failed: ${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      seconds: number;
      accuracy: number;
      version: string;
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function sklearnAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0;
}

async function onnxThroughput(bytes: Uint8Array, test: Table): Promise<number> {
  const session = await ort.InferenceSession.create(bytes);
  const batch = 1000;
  const inputs = test.features.map((feature) =>
    feature.kind === 'numeric' ? Float32Array.from(feature.values) : new Float32Array(0),
  );
  const start = performance.now();
  let rows = 0;
  for (let begin = 0; begin + batch <= test.rows; begin += batch) {
    const feeds: Record<string, ort.Tensor> = {};
    test.features.forEach((feature, f) => {
      feeds[feature.name] = new ort.Tensor('float32', inputs[f]!.subarray(begin, begin + batch), [batch, 1]);
    });
    await session.run(feeds);
    rows += batch;
  }
  return rows / ((performance.now() - start) / 1000);
}

export async function runGbdtBenchmark(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rows: { type: 'string', default: '200000' },
      trees: { type: 'string', default: '100' },
      threads: { type: 'string', default: '0' },
      'no-sklearn': { type: 'boolean', default: false },
      'no-onnx': { type: 'boolean', default: false },
    },
  });
  const rows = Number(values.rows);
  const trees = Number(values.trees);
  const testRows = Math.round(rows / 4);
  const data = syntheticClassification(rows + testRows, 42);
  const train = slice(data, 0, rows);
  const test = slice(data, rows, rows + testRows);
  console.log(
    `GBDT: ${formatCount(rows)} x ${FEATURES} training rows, ${formatCount(testRows)} test rows, ${trees} trees`,
  );

  const start = performance.now();
  const model = trainGbdt(train.table, train.target, {
    iterations: trees,
    maxLeaves: 31,
    learningRate: 0.1,
    threads: Number(values.threads),
  });
  const seconds = (performance.now() - start) / 1000;
  const labels = test.target.kind === 'classification' ? test.target.labels : new Int32Array(0);
  const slipwayAccuracy = accuracy(predictLabels(model, test.table), labels);
  const table = [
    ['slipway trainGbdt', `${seconds.toFixed(2)} s`, `${(100 * slipwayAccuracy).toFixed(2)} %`, ''],
  ];

  if (!values['no-sklearn'] && sklearnAvailable()) {
    const sklearn = await runSklearn(data, rows, testRows, trees);
    table.push([
      `scikit-learn ${sklearn.version} HistGradientBoosting`,
      `${sklearn.seconds.toFixed(2)} s`,
      `${(100 * sklearn.accuracy).toFixed(2)} %`,
      '',
    ]);
    table[0]![3] = `${(seconds / sklearn.seconds).toFixed(2)}x`;
  } else if (!values['no-sklearn']) {
    console.log(`(scikit-learn not found: apt-get install -y python3-sklearn, run with ${PYTHON})`);
  }
  printTable(
    'training (same rows, same settings)',
    ['trainer', 'time', 'test accuracy', 'time ratio'],
    table,
  );

  if (!values['no-onnx']) {
    const throughput = await onnxThroughput(gbdtToOnnx(model), test.table);
    console.log(`\nONNX prediction through onnxruntime-node, batch 1,000: ${formatCount(throughput)} rows/s`);
  }
}

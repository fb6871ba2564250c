/**
 * Benchmark dispatcher: `npm run bench -- <name> [options]`. Each benchmark lives in its own file and
 * prints its figures side by side with a baseline measured in the same run.
 */
import { runAutomlQualityBenchmark } from './automl-quality.js';
import { runDatasetsBenchmark } from './datasets.js';
import { runDriftBenchmark } from './drift.js';
import { runGbdtBenchmark } from './gbdt.js';
import { runMonitorBenchmark } from './monitor.js';
import { runPipelinesBenchmark } from './pipelines.js';
import { runServingBenchmark } from './serving.js';
import { runTrackingBenchmark } from './tracking.js';

interface Benchmark {
  readonly description: string;
  run(args: readonly string[]): Promise<void>;
}

const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  tracking: {
    description:
      'metric logging through the SDK over HTTP into SQLite vs raw better-sqlite3 inserts; run search vs hand-written SQL',
    run: runTrackingBenchmark,
  },
  datasets: {
    description:
      'pushing and profiling a 10M-row, 20-column file vs DuckDB SUMMARIZE; a ~1 GB CSV push with peak RSS',
    run: runDatasetsBenchmark,
  },
  gbdt: {
    description:
      'GBDT training on 200,000 x 20 synthetic rows vs scikit-learn HistGradientBoosting; ONNX rows/s',
    run: runGbdtBenchmark,
  },
  automl: {
    description:
      'AutoML test accuracy / RMSE on scikit-learn data sets vs the best of its LogisticRegression, HistGradientBoosting, RandomForest',
    run: runAutomlQualityBenchmark,
  },
  serving: {
    description:
      'V2 inference under autocannon load vs a raw node:http + onnxruntime server; batching on vs off; canary split vs one route',
    run: runServingBenchmark,
  },
  pipelines: {
    description:
      '1,000 no-op fn steps (a fan-out and a chain) through the engine vs the same function awaited directly; ms/step overhead',
    run: runPipelinesBenchmark,
  },
  drift: {
    description:
      'drift report, 50 numeric features x 100,000 reference x 100,000 current rows (wasserstein + psi + histograms) vs SciPy/numpy',
    run: runDriftBenchmark,
  },
  monitor: {
    description:
      'a monitor evaluation over a 100,000-row inference log window (22 features, prediction drift) vs compareTables on the same tables in memory',
    run: runMonitorBenchmark,
  },
};

const [name, ...args] = process.argv.slice(2);
const benchmark = name === undefined ? undefined : BENCHMARKS[name];
if (benchmark === undefined) {
  if (name !== undefined) console.error(`unknown benchmark '${name}'`);
  console.error('usage: npm run bench -- <name> [options]\n\navailable benchmarks:');
  for (const [key, { description }] of Object.entries(BENCHMARKS))
    console.error(`  ${key.padEnd(10)} ${description}`);
  process.exit(2);
}
await benchmark.run(args);

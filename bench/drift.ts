/**
 * `npm run bench -- drift`: the drift report of 50 numeric features × 100,000 reference rows ×
 * 100,000 current rows (half the features shifted) through `compareTables`, with every default test
 * plus PSI. With a reference this large the default numeric test is the normalised Wasserstein
 * distance (Evidently's rule), so the report runs `tests: ['wasserstein', 'psi']` and builds each
 * column's histogram. In the same run, when a Python with SciPy is found, the same statistics are
 * computed by SciPy and numpy on the same data (bench/support/drift_scipy.py), and both sides'
 * values are checked to agree. Also timed: KS (the default test for references of at most 1,000
 * rows), and each statistic alone on both sides. Target: the report at least as fast as SciPy.
 *
 * Options: --features N (50), --rows N (reference rows, 100,000), --current-rows N (100,000),
 * --reps N (timed repetitions after one warm-up, median reported; 5), --seed N (1),
 * --python PATH (default: the first of python3, /usr/bin/python3 that imports scipy), --no-scipy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type PreparedColumn, prepareColumn, runTest } from '../src/monitoring/drift/column-drift.js';
import { compareTables, type DriftTable } from '../src/monitoring/drift/index.js';
import { histogram, ks2samp, normalisedWasserstein, psi } from '../src/monitoring/stats/index.js';
import { seededRandom } from '../src/training/random.js';
import { formatCount, formatMs, printTable, verdict } from './support/report.js';

const HISTOGRAM_BINS = 10;
const PSI_BINS = 10;
const PYTHON_CANDIDATES = ['python3', '/usr/bin/python3'];
const SCRIPT = resolve(import.meta.dirname, 'support', 'drift_scipy.py');

interface Data {
  readonly reference: Float64Array[];
  readonly current: Float64Array[];
}

interface ScipyResult {
  readonly versions: { readonly python: string; readonly numpy: string; readonly scipy: string };
  readonly seconds: Readonly<Record<Measure, number>>;
  readonly values: {
    readonly wasserstein: readonly number[];
    readonly psi: readonly number[];
    readonly histogram: readonly (readonly [readonly number[], readonly number[]])[];
    readonly ks: readonly (readonly [number, number])[];
  };
}

type Measure = 'report' | 'reportKs' | 'wasserstein' | 'psi' | 'histogram' | 'ks';

export async function runDriftBenchmark(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      features: { type: 'string', default: '50' },
      rows: { type: 'string', default: '100000' },
      'current-rows': { type: 'string', default: '100000' },
      reps: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
      python: { type: 'string' },
      'no-scipy': { type: 'boolean', default: false },
    },
  });
  const features = positive('features', values.features);
  const refRows = positive('rows', values.rows);
  const curRows = positive('current-rows', values['current-rows']);
  const reps = positive('reps', values.reps);
  const data = generate(features, refRows, curRows, Number(values.seed));
  console.log(
    `drift benchmark: Node ${process.version}, ${cpus().length} cores; ${features} numeric features × ${formatCount(refRows)} reference × ${formatCount(curRows)} current rows (half shifted); median of ${reps} after a warm-up`,
  );

  const reference = table(data.reference);
  const current = table(data.current);
  const ts: Record<Measure, number> = {
    report: median(reps, () => compareTables(reference, current, { tests: ['wasserstein', 'psi'] })),
    reportKs: median(reps, () => compareTables(reference, current, { tests: ['ks'] })),
    wasserstein: median(reps, () => each(data, normalisedWasserstein)),
    psi: median(reps, () => each(data, (r, c) => psi(r, c, { bins: PSI_BINS }))),
    histogram: median(reps, () => each(data, (r, c) => histogram(r, c, HISTOGRAM_BINS))),
    ks: median(reps, () => each(data, ks2samp)),
  };
  const inside = reportBreakdown(data, reps);

  const python = values['no-scipy'] ? undefined : (values.python ?? findPython());
  let scipy: ScipyResult | undefined;
  if (values['no-scipy']) console.log('SciPy baseline skipped (--no-scipy)');
  else if (python === undefined) {
    console.log(
      `SciPy baseline skipped: none of ${PYTHON_CANDIDATES.join(', ')} imports scipy (apt-get install -y python3-scipy)`,
    );
  } else {
    scipy = await runScipy(python, data, reps);
    console.log(
      `SciPy baseline: ${python}, Python ${scipy.versions.python}, numpy ${scipy.versions.numpy}, SciPy ${scipy.versions.scipy}`,
    );
    checkAgreement(data, scipy);
  }

  const row = (label: string, measure: Measure, target = false): string[] => {
    const py = scipy?.seconds[measure];
    return [
      label,
      `${formatMs(ts[measure] * 1000)} ms`,
      py === undefined ? '—' : `${formatMs(py * 1000)} ms`,
      py === undefined ? '—' : `${(ts[measure] / py).toFixed(2)}x`,
      target && py !== undefined ? verdict(ts[measure] <= py) : '',
    ];
  };
  printTable(
    `${features} features, all columns (wall time, median)`,
    ['work', 'Slipway', 'SciPy/numpy', 'ratio', 'target (≤ 1x)'],
    [
      row('report: wasserstein + psi + histograms (compareTables)', 'report', true),
      row('report: ks + histograms (compareTables)', 'reportKs'),
      row('normalisedWasserstein alone', 'wasserstein'),
      row('psi alone', 'psi'),
      row('histogram (both sides) alone', 'histogram'),
      row('ks2samp alone', 'ks'),
    ],
  );
  printTable(
    'inside the report (compareTables: each side sorted once, shared by the histogram and the tests)',
    ['step', 'Slipway'],
    [
      ['prepare: drop missing, sort, discreteness, histograms', `${formatMs(inside.prepare * 1000)} ms`],
      ['wasserstein on the prepared columns', `${formatMs(inside.wasserstein * 1000)} ms`],
      ['psi on the prepared columns', `${formatMs(inside.psi * 1000)} ms`],
      ['ks on the prepared columns', `${formatMs(inside.ks * 1000)} ms`],
    ],
  );
}

/** Standard normal, log-normal and uniform features in turn; odd features move in the current rows. */
function generate(features: number, refRows: number, curRows: number, seed: number): Data {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-300)) * Math.cos(2 * Math.PI * random());
  const draw = (f: number, rows: number, shift: number): Float64Array => {
    const out = new Float64Array(rows);
    const scale = 1 + (f % 7);
    for (let i = 0; i < rows; i++) {
      const z = f % 3 === 0 ? normal() : f % 3 === 1 ? Math.exp(0.5 * normal()) : random() * 3.4;
      out[i] = scale * (z + shift) + f;
    }
    return out;
  };
  return {
    reference: Array.from({ length: features }, (_, f) => draw(f, refRows, 0)),
    current: Array.from({ length: features }, (_, f) => draw(f, curRows, f % 2 === 1 ? 0.25 : 0)),
  };
}

function table(columns: readonly Float64Array[]): DriftTable {
  return {
    columns: Object.fromEntries(columns.map((values, f) => [`f${f}`, { kind: 'numeric', values }])),
  };
}

function each<T>(data: Data, statistic: (reference: Float64Array, current: Float64Array) => T): T[] {
  return data.reference.map((r, f) => statistic(r, data.current[f]!));
}

/** Median wall time in seconds of `reps` runs after one warm-up run. */
function median(reps: number, run: () => unknown): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    run();
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}

/** The report's steps timed apart: preparing every column, then each test on the prepared columns. */
function reportBreakdown(data: Data, reps: number) {
  const prepareAll = (): PreparedColumn[] =>
    data.reference.map((r, f) => {
      const prep = prepareColumn(
        `f${f}`,
        { kind: 'numeric', values: r },
        {
          kind: 'numeric',
          values: data.current[f]!,
        },
        HISTOGRAM_BINS,
      );
      if (!prep.ok) throw new Error(`f${f}: ${prep.reason}`);
      return prep.column;
    });
  const prepared = prepareAll();
  return {
    prepare: median(reps, prepareAll),
    wasserstein: median(reps, () => prepared.map((c) => runTest(c, 'wasserstein'))),
    psi: median(reps, () => prepared.map((c) => runTest(c, 'psi'))),
    ks: median(reps, () => prepared.map((c) => runTest(c, 'ks'))),
  };
}

function findPython(): string | undefined {
  return PYTHON_CANDIDATES.find(
    (python) => spawnSync(python, ['-c', 'import scipy, numpy'], { encoding: 'utf8' }).status === 0,
  );
}

async function runScipy(python: string, data: Data, reps: number): Promise<ScipyResult> {
  const folder = await mkdtemp(join(tmpdir(), 'slipway-bench-drift-'));
  try {
    const file = join(folder, 'columns.f64');
    const columns = [...data.reference, ...data.current];
    const all = new Float64Array(columns.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of columns) {
      all.set(c, at);
      at += c.length;
    }
    await writeFile(file, new Uint8Array(all.buffer));
    const result = spawnSync(
      python,
      [
        SCRIPT,
        file,
        String(data.reference.length),
        String(data.reference[0]!.length),
        String(data.current[0]!.length),
        String(HISTOGRAM_BINS),
        String(PSI_BINS),
        String(reps),
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (result.status !== 0) throw new Error(`SciPy baseline failed: ${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as ScipyResult;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Both sides computed the same numbers: distances and p-values to 1e-9 (relative), counts exactly. */
function checkAgreement(data: Data, scipy: ScipyResult): void {
  const report = compareTables(table(data.reference), table(data.current), { tests: ['wasserstein', 'psi'] });
  const ks = compareTables(table(data.reference), table(data.current), { tests: ['ks'] });
  let worst = 0;
  const compare = (ours: number, theirs: number, what: string) => {
    const diff = Math.abs(ours - theirs) / Math.max(Math.abs(theirs), 1e-300);
    worst = Math.max(worst, diff);
    if (!(diff <= 1e-9)) throw new Error(`${what}: Slipway ${ours}, SciPy ${theirs}`);
  };
  data.reference.forEach((_, f) => {
    const column = report.columns.find((c) => c.column === `f${f}`)!;
    const outcome = (test: string) => column.tests.find((t) => t.test === test)!;
    compare(outcome('wasserstein').statistic, scipy.values.wasserstein[f]!, `f${f} wasserstein`);
    compare(outcome('psi').statistic, scipy.values.psi[f]!, `f${f} psi`);
    const [refCounts, curCounts] = scipy.values.histogram[f]!;
    for (const [k, n] of refCounts.entries()) {
      compare(column.histogram.reference[k]!, n, `f${f} reference bin ${k}`);
    }
    for (const [k, n] of curCounts.entries())
      compare(column.histogram.current[k]!, n, `f${f} current bin ${k}`);
    const ksColumn = ks.columns.find((c) => c.column === `f${f}`)!;
    const [statistic, pvalue] = scipy.values.ks[f]!;
    compare(ksColumn.statistic, statistic, `f${f} ks statistic`);
    if (pvalue > 1e-300) compare(ksColumn.pvalue!, pvalue, `f${f} ks p-value`);
  });
  console.log(
    `values agree with SciPy/numpy on every column (largest relative difference ${worst.toExponential(1)})`,
  );
}

function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

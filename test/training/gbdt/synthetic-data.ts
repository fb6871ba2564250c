/**
 * Generated tabular data for the GBDT tests: four numeric features (with missing values) and one
 * categorical feature, with a known non-linear signal for binary, multiclass and regression targets.
 */
import { seededRandom } from '../../../src/training/random.js';
import type { Table, Target } from '../../../src/training/table.js';

export type SyntheticTask = 'binary' | 'multiclass' | 'regression';

const COLOURS = ['red', 'green', 'blue', 'amber', 'violet', 'teal'];
const COLOUR_EFFECT = [1.5, -1, 0.5, -2, 2, 0];

export interface SyntheticOptions {
  readonly missingRate?: number;
  /** Fraction of categorical values replaced by categories never seen in training. */
  readonly unseenRate?: number;
  readonly noise?: number;
}

export function syntheticDataset(
  rows: number,
  seed: number,
  task: SyntheticTask,
  options: SyntheticOptions = {},
): { table: Table; target: Target; signal: Float64Array } {
  const random = seededRandom(seed);
  const missingRate = options.missingRate ?? 0.1;
  const unseenRate = options.unseenRate ?? 0;
  const noise = options.noise ?? 0.3;
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-300)) * Math.cos(2 * Math.PI * random());
  const columns = Array.from({ length: 4 }, () => new Float64Array(rows));
  const colour: (string | null)[] = [];
  const signal = new Float64Array(rows);
  const second = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const x = columns.map((column) => {
      column[r] = normal();
      return column[r]!;
    });
    const c = Math.floor(random() * COLOURS.length);
    signal[r] = 1.5 * x[0]! - x[1]! + x[2]! * x[3]! + COLOUR_EFFECT[c]!;
    second[r] = x[1]! + Math.sin(2 * x[2]!) - 0.5 * COLOUR_EFFECT[c]!;
    if (random() < missingRate) {
      columns[1]![r] = Number.NaN;
      signal[r]! += 1;
    }
    if (random() < missingRate) columns[3]![r] = Number.NaN;
    const u = random();
    colour.push(
      u < missingRate / 2 ? null : u < missingRate / 2 + unseenRate ? `unseen-${r % 7}` : COLOURS[c]!,
    );
  }
  const table: Table = {
    rows,
    features: [
      ...columns.map((values, i) => ({ kind: 'numeric' as const, name: `x${i}`, values })),
      { kind: 'categorical' as const, name: 'colour', values: colour },
    ],
  };
  if (task === 'regression') {
    const values = Float64Array.from(signal, (s) => s + noise * normal());
    return { table, target: { kind: 'regression', values }, signal };
  }
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = signal[r]! + noise * normal();
    if (task === 'binary') labels[r] = a > 0 ? 1 : 0;
    else {
      const b = second[r]! + noise * normal();
      labels[r] = a > 1 ? 2 : b > 0 ? 1 : 0;
    }
  }
  const classes = task === 'binary' ? ['no', 'yes'] : ['low', 'mid', 'high'];
  return { table, target: { kind: 'classification', classes, labels }, signal };
}

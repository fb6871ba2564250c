/**
 * The churn-lifecycle pipeline's own code: a seeded synthetic churn table, the same rows on every
 * machine (numbers, categories and some missing payment methods, so AutoML meets the kind of table it
 * meets in practice). Self-contained on purpose: `slipway pipelines apply` bundles this file alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GenerateInputs {
  readonly rows: number;
  readonly seed: number;
  /** Share of extra rows, drawn with another seed, kept apart to evaluate on. */
  readonly holdout: number;
  /** Which world the customers come from (default `a`). */
  readonly world?: World;
}

export interface StepContext {
  readonly outputDir: string;
  log(text: string): void;
}

const CONTRACTS = [
  { name: 'month-to-month', months: 1 },
  { name: 'one-year', months: 12 },
  { name: 'two-year', months: 24 },
] as const;
const PAYMENTS = ['card', 'bank-transfer', 'check'] as const;

/** `a`: the world the first model learns; `b`: the world after it moved (see churnRows). */
export type World = 'a' | 'b';
const COLUMNS = ['tenure_months', 'monthly_charges', 'support_calls', 'contract', 'payment', 'churned'] as const;

type ChurnRow = Record<(typeof COLUMNS)[number], string | number | null>;

/**
 * Writes a training table and a holdout table into the step's output directory. They are `file`
 * outputs: stored with the run, and handed to the `dataset.push` steps as files of their own.
 */
export function generate(inputs: GenerateInputs, context: StepContext) {
  const train = join(context.outputDir, 'churn-train.csv');
  const holdout = join(context.outputDir, 'churn-holdout.csv');
  const world = inputs.world ?? 'a';
  writeFileSync(train, toCsv(churnRows(inputs.rows, inputs.seed, world)));
  writeFileSync(
    holdout,
    toCsv(churnRows(Math.max(1, Math.round(inputs.rows * inputs.holdout)), inputs.seed + 1, world)),
  );
  context.log(
    `wrote ${inputs.rows} training rows and a holdout of ${Math.round(inputs.rows * inputs.holdout)} from world ${world}`,
  );
  return { train, holdout };
}

function churnRows(rows: number, seed: number, world: World = 'a'): ChurnRow[] {
  const random = seededRandom(seed);
  const table: ChurnRow[] = [];
  for (let i = 0; i < rows; i++) {
    const b = world === 'b';
    const tenure = Math.floor(random() * 72);
    const charges = Math.round(((b ? 55 : 20) + random() * 100) * 100) / 100;
    const calls = Math.floor(-Math.log(1 - random()) * (b ? 3 : 1.5));
    const contract = CONTRACTS[Math.floor(random() * CONTRACTS.length)]!;
    const missing = random() < 0.05;
    const payment = missing
      ? null
      : b
        ? random() < 0.6
          ? 'check'
          : 'card'
        : PAYMENTS[Math.floor(random() * PAYMENTS.length)]!;
    // World a: churn grows with charges, support calls and paying by check; shrinks with tenure and
    // contract. World b (the world moved): higher prices, more calls, more cheques, and long-standing
    // customers now leave too, so a model of world a is wrong about them.
    const logit =
      (b
        ? -4.2 + 0.04 * tenure + 0.03 * charges + 0.35 * calls - 0.07 * contract.months + (payment === 'check' ? 0.3 : 0)
        : -1.2 -
          0.045 * tenure +
          0.03 * charges +
          0.55 * calls -
          0.07 * contract.months +
          (payment === 'check' ? 0.6 : 0)) +
      (random() - 0.5);
    table.push({
      tenure_months: tenure,
      monthly_charges: charges,
      support_calls: calls,
      contract: contract.name,
      payment,
      churned: random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0,
    });
  }
  return table;
}

/** CSV with a header; a missing value is an empty field. */
function toCsv(rows: readonly ChurnRow[]): string {
  const lines = [COLUMNS.join(',')];
  for (const row of rows) lines.push(COLUMNS.map((column) => String(row[column] ?? '')).join(','));
  return `${lines.join('\n')}\n`;
}

/** mulberry32, as Slipway's trainers use: the same rows for a seed everywhere. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

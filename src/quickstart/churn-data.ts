/**
 * A seeded synthetic churn table for the quickstart demo: the same rows on every machine. Numbers,
 * categories and some missing payment methods, so AutoML has the kind of table it meets in practice.
 */
import { seededRandom } from '../training/random.js';

export const CHURN_TARGET = 'churned';

const CONTRACTS = [
  { name: 'month-to-month', months: 1 },
  { name: 'one-year', months: 12 },
  { name: 'two-year', months: 24 },
] as const;
const PAYMENTS = ['card', 'bank-transfer', 'check'] as const;

/** `a`: the world the first model learns; `b`: the world after it moved (see churnRows). */
export type World = 'a' | 'b';

export interface ChurnRow {
  readonly tenure_months: number;
  readonly monthly_charges: number;
  readonly support_calls: number;
  readonly contract: string;
  /** null: not recorded. */
  readonly payment: string | null;
  /** 1 = churned. */
  readonly churned: 0 | 1;
}

export function churnRows(rows: number, seed: number, world: World = 'a'): ChurnRow[] {
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
        ? -4.2 +
          0.04 * tenure +
          0.03 * charges +
          0.35 * calls -
          0.07 * contract.months +
          (payment === 'check' ? 0.3 : 0)
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

/** The table as CSV with a header; a missing value is an empty field. */
export function toCsv(rows: readonly ChurnRow[]): string {
  const columns = [
    'tenure_months',
    'monthly_charges',
    'support_calls',
    'contract',
    'payment',
    CHURN_TARGET,
  ] as const;
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((column) => String(row[column] ?? '')).join(','));
  return `${lines.join('\n')}\n`;
}

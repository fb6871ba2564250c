/** A seeded synthetic churn table for the quickstart demo: the same rows on every machine. */
import { seededRandom } from '../training/random.js';

export const CHURN_FEATURES = [
  'tenure_months',
  'monthly_charges',
  'support_calls',
  'contract_months',
] as const;

export interface Dataset {
  /** Row-major, CHURN_FEATURES.length columns. */
  readonly x: Float64Array;
  /** 1 = churned. */
  readonly y: Uint8Array;
  readonly rows: number;
}

export function churnDataset(rows: number, seed: number): Dataset {
  const random = seededRandom(seed);
  const width = CHURN_FEATURES.length;
  const x = new Float64Array(rows * width);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const tenure = Math.floor(random() * 72);
    const charges = 20 + random() * 100;
    const calls = Math.floor(-Math.log(1 - random()) * 1.5);
    const contract = [1, 12, 24][Math.floor(random() * 3)]!;
    // Churn grows with charges and support calls, shrinks with tenure and contract length.
    const logit = -1.2 - 0.045 * tenure + 0.03 * charges + 0.55 * calls - 0.07 * contract + (random() - 0.5);
    x.set([tenure, charges, calls, contract], i * width);
    y[i] = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  return { x, y, rows };
}

/** The table as CSV with a header (the features, then `churned`), as the quickstart pushes it. */
export function toCsv(dataset: Dataset): string {
  const width = CHURN_FEATURES.length;
  const lines = [[...CHURN_FEATURES, 'churned'].join(',')];
  for (let i = 0; i < dataset.rows; i++) {
    const row = Array.from(dataset.x.subarray(i * width, (i + 1) * width), (v) =>
      String(Math.round(v * 100) / 100),
    );
    lines.push(`${row.join(',')},${dataset.y[i]}`);
  }
  return `${lines.join('\n')}\n`;
}

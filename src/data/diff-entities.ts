/** What a dataset diff answers: schema changes, row counts and how far each common column moved. */

import type { PsiMethod } from './diff-sql.js';
import type { LogicalType } from './entities.js';

export interface DiffSide {
  readonly dataset: string;
  readonly version: number;
  readonly rowCount: number;
}

export interface Change {
  readonly from: number;
  readonly to: number;
  /** to − from */
  readonly delta: number;
}

export interface SchemaColumn {
  readonly name: string;
  readonly type: LogicalType;
}

export interface TypeChange {
  readonly name: string;
  readonly from: LogicalType;
  readonly to: LogicalType;
}

export interface ColumnDiff {
  readonly name: string;
  /** The logical type in the `to` version. */
  readonly type: LogicalType;
  /** Set when the logical type changed. */
  readonly fromType?: LogicalType;
  /** Population stability index from `from` to `to` (0: same distribution; > 0.2: a large shift). */
  readonly psi: number;
  readonly psiMethod: PsiMethod;
  /** Number of bins (deciles or categories, the null bin included) the PSI summed over. */
  readonly bins: number;
  /** Share of rows that are null. */
  readonly nullRate: Change;
  /** Numeric columns (integer or float on both sides) with at least one finite value on each. */
  readonly mean?: Change;
  readonly std?: Change;
}

export interface DatasetDiff {
  readonly from: DiffSide;
  readonly to: DiffSide;
  readonly rowCount: Change;
  readonly schema: {
    readonly added: readonly SchemaColumn[];
    readonly removed: readonly SchemaColumn[];
    readonly typeChanged: readonly TypeChange[];
  };
  /** Every column present in both versions, the one that moved most (highest PSI) first. */
  readonly columns: readonly ColumnDiff[];
}

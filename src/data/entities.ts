/** The datasets domain's readonly entities and their mapping from rows. */
import { toIso } from '../core/clock.js';
import type { DatasetRow, DatasetVersionRow } from '../store/tables.js';

export const DATA_FORMATS = ['csv', 'parquet', 'jsonl'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** The logical column types of the schema (DuckDB's physical type is kept beside it). */
export const LOGICAL_TYPES = ['integer', 'float', 'boolean', 'string', 'timestamp'] as const;
export type LogicalType = (typeof LOGICAL_TYPES)[number];

export type Tags = Readonly<Record<string, string>>;

export interface ColumnSchema {
  readonly name: string;
  readonly type: LogicalType;
  /** True when the column holds at least one null. */
  readonly nullable: boolean;
  /** DuckDB's type name, e.g. BIGINT, DOUBLE, VARCHAR, DATE, TIMESTAMP. */
  readonly physicalType: string;
}

export interface Histogram {
  /** Bin edges, ascending: counts[i] counts values in [edges[i], edges[i+1]) (the last bin is closed). */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export interface NumericSummary {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Sample standard deviation; 0 for a single value. */
  readonly std: number;
  /** Keyed by the quantile as a string: '0.01', '0.05', '0.25', '0.5', '0.75', '0.95', '0.99'. */
  readonly quantiles: Readonly<Record<string, number>>;
  /** True when the quantiles come from a sample (large columns); exact (linear interpolation) otherwise. */
  readonly quantilesApproximate: boolean;
  readonly histogram: Histogram;
  /** Float columns: NaN and ±Infinity values, which every statistic above leaves out. Absent when 0. */
  readonly nonFinite?: number;
}

export interface CategoryCount {
  readonly value: string;
  readonly count: number;
}

export interface ColumnProfile {
  readonly name: string;
  readonly type: LogicalType;
  /** Rows, nulls included. */
  readonly count: number;
  readonly nullCount: number;
  readonly distinct: number;
  /** True when `distinct` is an estimate (large columns). */
  readonly distinctApproximate: boolean;
  readonly numeric?: NumericSummary;
  /** Strings and booleans: the most frequent values, most frequent first. */
  readonly top?: readonly CategoryCount[];
  /** Timestamps: ISO strings. */
  readonly temporal?: { readonly min: string; readonly max: string };
}

export interface DatasetProfile {
  readonly rowCount: number;
  readonly columns: readonly ColumnProfile[];
}

export interface Dataset {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: Tags;
  /** The newest version number; absent before the first push. */
  readonly latestVersion?: number;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DatasetVersion {
  readonly id: string;
  readonly dataset: string;
  readonly version: number;
  readonly format: DataFormat;
  /** sha256 of the bytes as pushed (what download returns). */
  readonly sourceDigest: string;
  readonly sourceSize: number;
  /** sha256 of the stored Parquet form that every read uses. */
  readonly dataDigest: string;
  readonly dataSize: number;
  readonly rowCount: number;
  readonly columns: readonly ColumnSchema[];
  readonly description: string;
  readonly tags: Tags;
  readonly createdBy: string;
  readonly createdAt: string;
}

export function toDataset(row: DatasetRow, latestVersion: number | null | undefined): Dataset {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: JSON.parse(row.tags) as Tags,
    ...(latestVersion == null ? {} : { latestVersion: Number(latestVersion) }),
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
    updatedAt: toIso(Number(row.updated_at)),
  };
}

export function toDatasetVersion(name: string, row: DatasetVersionRow): DatasetVersion {
  return {
    id: row.id,
    dataset: name,
    version: Number(row.version),
    format: row.format,
    sourceDigest: row.source_digest,
    sourceSize: Number(row.source_size),
    dataDigest: row.data_digest,
    dataSize: Number(row.data_size),
    rowCount: Number(row.row_count),
    columns: JSON.parse(row.schema) as ColumnSchema[],
    description: row.description,
    tags: JSON.parse(row.tags) as Tags,
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
  };
}

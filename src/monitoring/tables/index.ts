/** Tables for drift tests, read from Parquet files and dataset versions. */
export {
  type IgnoredColumn,
  type LoadedTable,
  loadVersionTable,
  type ReadTableOptions,
  readParquetTable,
} from './parquet-table.js';

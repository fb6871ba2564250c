/** Tables for drift tests, read from Parquet files, local CSV/JSON-lines/Parquet files and dataset versions. */
export { fileFormatOf, readFileTable, type TableFileFormat } from './file-table.js';
export {
  type IgnoredColumn,
  type LoadedTable,
  loadVersionTable,
  type ReadTableOptions,
  readParquetTable,
  readRelationTable,
} from './parquet-table.js';

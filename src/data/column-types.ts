/** DuckDB physical types -> the schema's logical types. */
import type { LogicalType } from './entities.js';

const INTEGER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
  'UHUGEINT',
]);
const FLOAT_TYPES = new Set(['FLOAT', 'DOUBLE']);

/**
 * DATE and every TIMESTAMP variant are timestamps; DECIMAL is a float; everything else that is not a
 * number or a boolean (VARCHAR, UUID, ENUM, TIME, nested types …) is profiled as a string.
 */
export function logicalTypeOf(physicalType: string): LogicalType {
  const type = physicalType.toUpperCase();
  if (INTEGER_TYPES.has(type)) return 'integer';
  if (FLOAT_TYPES.has(type) || type.startsWith('DECIMAL')) return 'float';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'DATE' || type.startsWith('TIMESTAMP')) return 'timestamp';
  return 'string';
}

/** Whether NaN and ±Infinity can occur (and must be left out of numeric statistics). */
export function canBeNonFinite(physicalType: string): boolean {
  return FLOAT_TYPES.has(physicalType.toUpperCase());
}

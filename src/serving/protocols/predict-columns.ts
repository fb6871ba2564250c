/**
 * Fills one graph input from row-oriented instances in a single pass into a typed array, converting
 * and validating each value as it is copied. Missing values (null or an absent key) become NaN for
 * float inputs and '' for string inputs (what Slipway's graphs read as missing); integer and bool
 * inputs have no missing value, so one is an error. Numbers are strict: a string is not parsed as a
 * number, except "NaN"/"Infinity"/"-Infinity" for floats (as responses write them) and decimal
 * strings for int64/uint64 (the only exact way past 2^53, as in V2). String inputs take numbers and
 * booleans through String() (a category may look like a number: zip code 94107).
 */
import * as ort from 'onnxruntime-node';
import { InvalidError } from '../../core/errors.js';
import type { Column } from './predict-plan.js';
import { numberToHalf } from './v2-datatypes.js';

type Row = Readonly<Record<string, unknown>>;

/** The tensor for `column`, from the first `rows` instances (already checked to be objects, or bare values). */
export function fillColumn(column: Column, instances: readonly unknown[], rows: number): ort.Tensor {
  const count = rows * column.width;
  const dims = column.rank === 1 ? [rows] : [rows, column.width];
  switch (column.elementType) {
    case 'float32':
      return new ort.Tensor(
        'float32',
        fillFloat(new Float32Array(count), column, instances, FLOAT32_MAX),
        dims,
      );
    case 'float64':
      return new ort.Tensor('float64', fillFloat(new Float64Array(count), column, instances, Infinity), dims);
    case 'float16': {
      const values = fillFloat(new Float64Array(count), column, instances, FLOAT16_MAX);
      return new ort.Tensor('float16', Uint16Array.from(values, numberToHalf), dims);
    }
    case 'int64':
    case 'uint64':
      return new ort.Tensor(column.elementType, fillInt64(column, instances, count), dims);
    case 'bool':
      return new ort.Tensor('bool', fillBool(new Uint8Array(count), column, instances), dims);
    case 'string':
      return new ort.Tensor('string', fillString(new Array<string>(count), column, instances), dims);
    default: {
      const range = INT_RANGES[column.elementType];
      if (range === undefined) throw new Error(`no row conversion for element type ${column.elementType}`);
      const out = new range.Array(count);
      return new ort.Tensor(
        column.elementType as 'int32',
        fillInt(out, column, instances) as Int32Array,
        dims,
      );
    }
  }
}

/** Magnitudes at and beyond which a number rounds to Infinity in float32 and float16. */
const FLOAT32_MAX = 2 ** 128 - 2 ** 103;
const FLOAT16_MAX = 65520;

const INT_RANGES: Readonly<
  Record<string, { min: number; max: number; Array: new (n: number) => IntArray } | undefined>
> = {
  int8: { min: -128, max: 127, Array: Int8Array },
  uint8: { min: 0, max: 255, Array: Uint8Array },
  int16: { min: -32768, max: 32767, Array: Int16Array },
  uint16: { min: 0, max: 65535, Array: Uint16Array },
  int32: { min: -2147483648, max: 2147483647, Array: Int32Array },
  uint32: { min: 0, max: 4294967295, Array: Uint32Array },
};
type IntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** The instance's value for `column`: its key, or the instance itself when it is a bare value. */
function cell(column: Column, instances: readonly unknown[], i: number): unknown {
  const row = instances[i];
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return row;
  if (column.guarded && !Object.hasOwn(row, column.name)) return undefined;
  return (row as Row)[column.name];
}

/** The row's array of `column.width` values (for [N, K] inputs). */
function rowValues(column: Column, instances: readonly unknown[], i: number): readonly unknown[] {
  const value = cell(column, instances, i);
  if (Array.isArray(value) && value.length === column.width) return value;
  const got = Array.isArray(value) ? `${value.length} values` : value === undefined ? 'nothing' : show(value);
  throw problem(column, instances, i, -1, `: expected an array of ${column.width} values, got ${got}`);
}

function fillFloat<T extends Float32Array | Float64Array>(
  out: T,
  column: Column,
  instances: readonly unknown[],
  limit: number,
): T {
  const width = column.width;
  const rows = out.length / width;
  for (let i = 0; i < rows; i++) {
    if (width === 1) {
      const v = cell(column, instances, i);
      out[i] = typeof v === 'number' && v < limit && v > -limit ? v : toFloat(v, column, instances, i, -1);
      continue;
    }
    const values = rowValues(column, instances, i);
    for (let j = 0; j < width; j++) {
      const v = values[j];
      out[i * width + j] =
        typeof v === 'number' && v < limit && v > -limit ? v : toFloat(v, column, instances, i, j);
    }
  }
  return out;
}

function toFloat(v: unknown, column: Column, instances: readonly unknown[], i: number, j: number) {
  if (v === null || v === undefined || v === 'NaN' || Number.isNaN(v)) return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof v === 'number') {
    throw problem(column, instances, i, j, `: ${v} is out of range for ${column.elementType}`);
  }
  throw problem(column, instances, i, j, `: expected a number, got ${show(v)}`);
}

function fillInt<T extends IntArray>(out: T, column: Column, instances: readonly unknown[]): T {
  const { min, max } = INT_RANGES[column.elementType]!;
  const width = column.width;
  const rows = out.length / width;
  for (let i = 0; i < rows; i++) {
    const values = width === 1 ? undefined : rowValues(column, instances, i);
    for (let j = 0; j < width; j++) {
      const v = values === undefined ? cell(column, instances, i) : values[j];
      if (typeof v === 'number' && v >= min && v <= max && Math.floor(v) === v) out[i * width + j] = v;
      else throw intError(v, `${min}..${max}`, column, instances, i, values === undefined ? -1 : j);
    }
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

function fillInt64(
  column: Column,
  instances: readonly unknown[],
  count: number,
): BigInt64Array | BigUint64Array {
  // Safe integers go in as two 32-bit words, so the common case allocates no BigInt per value.
  const buffer = new ArrayBuffer(count * 8);
  const words = new Uint32Array(buffer);
  const unsigned = column.elementType === 'uint64';
  const out = unsigned ? new BigUint64Array(buffer) : new BigInt64Array(buffer);
  const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  const width = column.width;
  for (let i = 0; i < count / width; i++) {
    const values = width === 1 ? undefined : rowValues(column, instances, i);
    for (let j = 0; j < width; j++) {
      const v = values === undefined ? cell(column, instances, i) : values[j];
      const k = i * width + j;
      if (typeof v === 'number' && Number.isSafeInteger(v) && (v >= 0 || !unsigned)) {
        words[2 * k + LO] = v >>> 0;
        words[2 * k + HI] = Math.floor(v / 4294967296) >>> 0;
      } else if (typeof v === 'string' && /^-?[0-9]{1,20}$/.test(v) && BigInt(v) >= min && BigInt(v) <= max) {
        out[k] = BigInt(v);
      } else {
        throw intError(v, `${min}..${max}`, column, instances, i, values === undefined ? -1 : j, true);
      }
    }
  }
  return out;
}

function intError(
  v: unknown,
  range: string,
  column: Column,
  instances: readonly unknown[],
  i: number,
  j: number,
  decimals = false,
): InvalidError {
  if (v === null || v === undefined) return missing(column, instances, i, j);
  const integral =
    (typeof v === 'number' && Number.isInteger(v)) ||
    (decimals && typeof v === 'string' && /^-?[0-9]+$/.test(v));
  if (integral) {
    const hint =
      decimals && typeof v === 'number' && Number.isInteger(v) ? '; send it as a decimal string' : '';
    return problem(
      column,
      instances,
      i,
      j,
      `: ${show(v)} is out of range for ${column.elementType} (${range})${hint}`,
    );
  }
  const what = decimals ? 'an integer or a decimal string' : 'an integer';
  return problem(column, instances, i, j, `: expected ${what}, got ${show(v)}`);
}

function fillBool(out: Uint8Array, column: Column, instances: readonly unknown[]): Uint8Array {
  const width = column.width;
  for (let i = 0; i < out.length / width; i++) {
    const values = width === 1 ? undefined : rowValues(column, instances, i);
    for (let j = 0; j < width; j++) {
      const v = values === undefined ? cell(column, instances, i) : values[j];
      if (v === true) out[i * width + j] = 1;
      else if (v === null || v === undefined)
        throw missing(column, instances, i, values === undefined ? -1 : j);
      else if (v !== false) {
        throw problem(
          column,
          instances,
          i,
          values === undefined ? -1 : j,
          `: expected true or false, got ${show(v)}`,
        );
      }
    }
  }
  return out;
}

function fillString(out: string[], column: Column, instances: readonly unknown[]): string[] {
  const width = column.width;
  for (let i = 0; i < out.length / width; i++) {
    const values = width === 1 ? undefined : rowValues(column, instances, i);
    for (let j = 0; j < width; j++) {
      const v = values === undefined ? cell(column, instances, i) : values[j];
      if (typeof v === 'string') out[i * width + j] = v;
      else if (v === null || v === undefined) out[i * width + j] = '';
      else if (typeof v === 'number' || typeof v === 'boolean') out[i * width + j] = String(v);
      else {
        throw problem(
          column,
          instances,
          i,
          values === undefined ? -1 : j,
          `: expected a string, number or boolean, got ${show(v)}`,
        );
      }
    }
  }
  return out;
}

function missing(column: Column, instances: readonly unknown[], i: number, j: number): InvalidError {
  return problem(
    column,
    instances,
    i,
    j,
    ` is missing and input '${column.name}' (${column.elementType}) has no missing value`,
  );
}

/** An InvalidError for the value at row `i` (element `j` of its array, when j >= 0): `instances[2].age…`. */
export function problem(
  column: Column,
  instances: readonly unknown[],
  i: number,
  j: number,
  text: string,
): InvalidError {
  const row = instances[i];
  const named = typeof row === 'object' && row !== null && !Array.isArray(row);
  const field = `instances[${i}]${named ? `.${column.name}` : ''}${j >= 0 ? `[${j}]` : ''}`;
  return new InvalidError(`${field}${text}`, { field, row: i, [column.role]: column.name });
}

/** A value as a message shows it: as JSON, cut at 40 characters. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Element-level conversion between V2 JSON data arrays and onnxruntime tensor data, in both
 * directions, validating each value as it is copied (the rules are in v2-tensors.ts's header). One
 * fill loop per typed-array class keeps the hot loops' element stores monomorphic; int64/uint64 go
 * through two 32-bit words so safe integers cost no BigInt allocation.
 */
import * as ort from 'onnxruntime-node';
import { InvalidError } from '../../core/errors.js';
import { halfToNumber, numberToHalf } from './v2-datatypes.js';

/** Where a value sits, for messages: `input 'x' data[1][2]` (nested) or `input 'x' data[6]` (flat). */
export interface Site {
  readonly name: string;
  readonly field: string;
  readonly dims: readonly number[];
  readonly nested: boolean;
}

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

export function decodeTensor(elementType: string, data: unknown[], dims: number[], site: Site): ort.Tensor {
  let count = 1;
  for (const dim of dims) count *= dim;
  let values: readonly unknown[] = data;
  if (dims.length > 0 && data.length > 0 && Array.isArray(data[0])) {
    values = flatten(data, site);
    site = { ...site, nested: true };
  } else if (data.length !== count) {
    throw new InvalidError(
      `input '${site.name}': expected ${count} elements for shape ${formatShape(dims)}, got ${data.length}`,
      { field: site.field, input: site.name },
    );
  }
  switch (elementType) {
    case 'float32':
      return new ort.Tensor('float32', fillFloat32(new Float32Array(count), values, site), dims);
    case 'float64':
      return new ort.Tensor('float64', fillFloat64(new Float64Array(count), values, site), dims);
    case 'float16':
      return new ort.Tensor('float16', fillFloat16(new Uint16Array(count), values, site), dims);
    case 'int64':
    case 'uint64':
      return fillInt64(elementType, count, values, dims, site);
    case 'bool':
      return new ort.Tensor('bool', fillBool(new Uint8Array(count), values, site), dims);
    case 'string':
      return new ort.Tensor('string', checkStrings(values, site), dims);
    default: {
      const [min, max] = INT_RANGES[elementType]!;
      const Typed = INT_ARRAYS[elementType as keyof typeof INT_ARRAYS];
      const out = fillInt(new Typed(count), values, min, max, site);
      return new ort.Tensor(elementType as 'int32', out as Int32Array, dims);
    }
  }
}

const INT_ARRAYS = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
} as const;

/** Checks nested arrays against the shape level by level and returns the leaves in row-major order. */
function flatten(data: readonly unknown[], site: Site): unknown[] {
  const { dims } = site;
  const out: unknown[] = [];
  const index: number[] = [];
  const walk = (node: unknown, depth: number): void => {
    const want = dims[depth]!;
    if (!Array.isArray(node) || node.length !== want) {
      const got = Array.isArray(node) ? `${node.length}` : show(node);
      const at = index.map((k) => `[${k}]`).join('');
      throw new InvalidError(
        `input '${site.name}' data${at}: expected an array of ${want} elements for shape ${formatShape(dims)}, got ${got}`,
        { field: `${site.field}${at}`, input: site.name },
      );
    }
    if (depth === dims.length - 1) {
      for (let k = 0; k < node.length; k++) out.push(node[k]);
      return;
    }
    for (let k = 0; k < node.length; k++) {
      index.push(k);
      walk(node[k], depth + 1);
      index.pop();
    }
  };
  walk(data, 0);
  return out;
}

function fillFloat32(out: Float32Array, values: readonly unknown[], site: Site): Float32Array {
  for (let k = 0; k < out.length; k++) {
    const v = values[k];
    if (typeof v === 'number' && v < FLOAT32_OVERFLOW && v > -FLOAT32_OVERFLOW) out[k] = v;
    else out[k] = floatSpecial(v, k, site, 'FP32');
  }
  return out;
}

function fillFloat64(out: Float64Array, values: readonly unknown[], site: Site): Float64Array {
  for (let k = 0; k < out.length; k++) {
    const v = values[k];
    if (typeof v === 'number' && v - v === 0) out[k] = v;
    else out[k] = floatSpecial(v, k, site, 'FP64');
  }
  return out;
}

function fillFloat16(out: Uint16Array, values: readonly unknown[], site: Site): Uint16Array {
  for (let k = 0; k < out.length; k++) {
    const v = values[k];
    out[k] = numberToHalf(
      typeof v === 'number' && v < 65520 && v > -65520 ? v : floatSpecial(v, k, site, 'FP16'),
    );
  }
  return out;
}

/** The smallest magnitude that rounds to Infinity in float32: 2^128 - 2^103 (halfway past the max). */
const FLOAT32_OVERFLOW = 2 ** 128 - 2 ** 103;

/** NaN (a programmatic NaN number, or the string), the Infinity strings; anything else is an error. */
function floatSpecial(v: unknown, k: number, site: Site, datatype: string): number {
  if (v === 'NaN' || Number.isNaN(v)) return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof v === 'number') {
    throw valueError(site, k, `${show(v)} is out of range for ${datatype} (send "Infinity" as a string)`);
  }
  throw valueError(site, k, `${show(v)} is not a number`);
}

function fillInt<T extends Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array>(
  out: T,
  values: readonly unknown[],
  min: number,
  max: number,
  site: Site,
): T {
  for (let k = 0; k < out.length; k++) {
    const v = values[k];
    if (typeof v === 'number' && v >= min && v <= max && Math.floor(v) === v) out[k] = v;
    else throw intError(v, k, site, `${min}..${max}`);
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function fillInt64(
  type: 'int64' | 'uint64',
  count: number,
  values: readonly unknown[],
  dims: number[],
  site: Site,
): ort.Tensor {
  // Safe integers are written as two 32-bit words, so the common case allocates no BigInt per value.
  const buffer = new ArrayBuffer(count * 8);
  const words = new Uint32Array(buffer);
  const out = type === 'int64' ? new BigInt64Array(buffer) : new BigUint64Array(buffer);
  const unsigned = type === 'uint64';
  for (let k = 0; k < count; k++) {
    const v = values[k];
    if (typeof v === 'number' && Number.isSafeInteger(v) && (v >= 0 || !unsigned)) {
      words[2 * k + LO] = v >>> 0;
      words[2 * k + HI] = Math.floor(v / 4294967296) >>> 0;
    } else if (typeof v === 'string' && /^-?[0-9]{1,20}$/.test(v)) {
      const big = BigInt(v);
      if (unsigned ? big < 0n || big > UINT64_MAX : big < INT64_MIN || big > INT64_MAX) {
        throw intError(v, k, site, unsigned ? `0..${UINT64_MAX}` : `${INT64_MIN}..${INT64_MAX}`, true);
      }
      out[k] = big;
    } else if (typeof v === 'number' && Number.isInteger(v) && (v >= 0 || !unsigned)) {
      throw valueError(
        site,
        k,
        `${show(v)} is beyond 2^53 and cannot be exact as a JSON number; send it as a decimal string`,
      );
    } else {
      throw intError(v, k, site, unsigned ? `0..${UINT64_MAX}` : `${INT64_MIN}..${INT64_MAX}`, true);
    }
  }
  return new ort.Tensor(type, out, dims);
}

/** `decimals`: whether decimal strings are accepted (INT64/UINT64), so a long one is out of range. */
function intError(v: unknown, k: number, site: Site, range: string, decimals = false): InvalidError {
  const integral =
    (typeof v === 'number' && Number.isInteger(v)) ||
    (decimals && typeof v === 'string' && /^-?[0-9]+$/.test(v));
  if (integral) return valueError(site, k, `${show(v)} is out of range (${range})`);
  const what =
    typeof v === 'number' ? 'an integer' : decimals ? 'an integer or a decimal string' : 'a number';
  return valueError(site, k, `${show(v)} is not ${what}`);
}

function fillBool(out: Uint8Array, values: readonly unknown[], site: Site): Uint8Array {
  for (let k = 0; k < out.length; k++) {
    const v = values[k];
    if (v === true) out[k] = 1;
    else if (v !== false) throw valueError(site, k, `${show(v)} is not a boolean (true or false)`);
  }
  return out;
}

function checkStrings(values: readonly unknown[], site: Site): string[] {
  for (let k = 0; k < values.length; k++) {
    if (typeof values[k] !== 'string') throw valueError(site, k, `${show(values[k])} is not a string`);
  }
  return values as string[];
}

function valueError(site: Site, k: number, problem: string): InvalidError {
  let at = `[${k}]`;
  if (site.nested) {
    at = '';
    let rest = k;
    for (let d = site.dims.length - 1; d >= 0; d--) {
      const dim = site.dims[d]!;
      at = `[${rest % dim}]${at}`;
      rest = Math.floor(rest / dim);
    }
  }
  return new InvalidError(`input '${site.name}' data${at}: ${problem}`, {
    field: `${site.field}${at}`,
    input: site.name,
  });
}

export function encodeData(tensor: Pick<ort.Tensor, 'type' | 'data'>): unknown[] {
  const data = tensor.data;
  const n = data.length;
  const out: unknown[] = new Array(n);
  switch (tensor.type) {
    case 'string':
      return [...(data as string[])];
    case 'bool':
      for (let k = 0; k < n; k++) out[k] = (data as Uint8Array)[k] !== 0;
      return out;
    case 'int64':
    case 'uint64':
      return encodeInt64(data as BigInt64Array | BigUint64Array, tensor.type === 'int64', out);
    case 'float16':
      if (data instanceof Uint16Array) {
        for (let k = 0; k < n; k++) out[k] = finiteOrString(halfToNumber(data[k]!));
        return out;
      }
      // A runtime with Float16Array hands out numbers already.
      for (let k = 0; k < n; k++) out[k] = finiteOrString(data[k] as number);
      return out;
    case 'float32':
    case 'float64':
      for (let k = 0; k < n; k++) out[k] = finiteOrString((data as Float32Array)[k]!);
      return out;
    default:
      for (let k = 0; k < n; k++) out[k] = (data as Int32Array)[k];
      return out;
  }
}

function finiteOrString(v: number): number | string {
  if (v - v === 0) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function encodeInt64(data: BigInt64Array | BigUint64Array, signed: boolean, out: unknown[]): unknown[] {
  // Read the two 32-bit words instead of the bigint, so safe values cost no BigInt allocation.
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
  for (let k = 0; k < data.length; k++) {
    const hi = signed ? words[2 * k + HI]! | 0 : words[2 * k + HI]!;
    const v = hi * 4294967296 + words[2 * k + LO]!;
    out[k] = v <= Number.MAX_SAFE_INTEGER && v >= -Number.MAX_SAFE_INTEGER ? v : data[k]!.toString();
  }
  return out;
}

export function formatShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((dim) => dim ?? '?').join(',')}]`;
}

/** A value as it appears in a message: strings quoted, everything else as JSON, cut at 40 characters. */
export function show(value: unknown): string {
  const text =
    typeof value === 'string'
      ? `'${value}'`
      : typeof value === 'number'
        ? String(value)
        : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

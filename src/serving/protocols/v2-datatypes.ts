/**
 * The element types the KServe V2 / Open Inference Protocol can carry, mapped to the ONNX element
 * type names Slipway's signatures use, plus the IEEE 754 half-precision codec FP16 needs: Node 20
 * has no Float16Array, so onnxruntime-node 1.30 holds 'float16' tensors as Uint16Array bit patterns
 * (it switches to Float16Array on runtimes that have one; both are handled here).
 */

/** ONNX element type -> V2 datatype. Anything else (bfloat16, int4, float8 …) has no V2 datatype. */
export const V2_DATATYPES: Readonly<Record<string, string>> = Object.freeze({
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
});

const ELEMENT_TYPES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(V2_DATATYPES).map(([onnx, v2]) => [v2, onnx])),
);

export function v2Datatype(elementType: string): string | undefined {
  return Object.hasOwn(V2_DATATYPES, elementType) ? V2_DATATYPES[elementType] : undefined;
}

/** The ONNX element type of a V2 datatype (FP32 -> float32), or undefined for an unknown one. */
export function onnxElementType(datatype: string): string | undefined {
  return Object.hasOwn(ELEMENT_TYPES, datatype) ? ELEMENT_TYPES[datatype] : undefined;
}

/** 2^(e - 25) for a half exponent field e in 1..30, and 2^-24 (the subnormal step) at index 0. */
const HALF_SCALE = Float64Array.from({ length: 31 }, (_, e) => 2 ** ((e === 0 ? 1 : e) - 25));

/** The number a half-precision bit pattern stands for (exact: every half is a double). */
export function halfToNumber(bits: number): number {
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  let magnitude: number;
  if (exponent === 0) magnitude = mantissa * HALF_SCALE[0]!;
  else if (exponent === 31) magnitude = mantissa === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  else magnitude = (mantissa + 1024) * HALF_SCALE[exponent]!;
  return bits & 0x8000 ? -magnitude : magnitude;
}

/** A double's bits, to read its exponent without Math.log2; the high word holds sign and exponent. */
const bits64 = new Float64Array(1);
const words64 = new Uint32Array(bits64.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** 2^(10 - e) for the normal half exponents e = -14..15. */
const SCALE_TO_SIGNIFICAND = Float64Array.from({ length: 30 }, (_, i) => 2 ** (10 - (i - 14)));

/** The largest finite half is 65504; from 65520 (its halfway point to 2^16) everything rounds to Infinity. */
const HALF_OVERFLOW = 65520;

/**
 * The half-precision bits nearest to `value`, ties to even, straight from the double (going through
 * float32 first would round twice). Subnormals, ±0, ±Infinity and NaN (0x7e00) are kept.
 */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || (value === 0 && 1 / value < 0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude >= HALF_OVERFLOW) return sign | 0x7c00;
  if (magnitude < 2 ** -14) {
    // Subnormal: a multiple of 2^-24; rounding up to 1024 lands exactly on the smallest normal.
    return sign | roundHalfEven(magnitude * 2 ** 24);
  }
  bits64[0] = magnitude;
  const exponent = ((words64[HIGH_WORD]! >>> 20) & 0x7ff) - 1023;
  const significand = roundHalfEven(magnitude * SCALE_TO_SIGNIFICAND[exponent + 14]!);
  return sign | (((exponent + 15) << 10) + significand - 1024);
}

function roundHalfEven(x: number): number {
  let floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5 || (fraction === 0.5 && (floor & 1) === 1)) floor++;
  return floor;
}

/**
 * The dummy inference that warms a session before traffic reaches it: one row of zeros (empty
 * strings, false) shaped by the signature, symbolic or unknown dimensions taken as 1.
 */
import * as ort from 'onnxruntime-node';
import type { ModelSignature } from '../../registry/index.js';

const ZERO_ARRAYS: Readonly<Record<string, (length: number) => ort.Tensor['data']>> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  float16: (n) => new Uint16Array(n),
  int8: (n) => new Int8Array(n),
  uint8: (n) => new Uint8Array(n),
  int16: (n) => new Int16Array(n),
  uint16: (n) => new Uint16Array(n),
  int32: (n) => new Int32Array(n),
  uint32: (n) => new Uint32Array(n),
  int64: (n) => new BigInt64Array(n),
  uint64: (n) => new BigUint64Array(n),
  bool: (n) => new Uint8Array(n),
  string: (n) => new Array<string>(n).fill(''),
};

export function warmUpFeeds(signature: ModelSignature): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of signature.inputs) {
    const zeros = ZERO_ARRAYS[input.elementType];
    if (input.kind !== 'tensor' || zeros === undefined)
      throw new Error(
        `input '${input.name}' is a ${input.kind} of ${input.elementType}, which cannot be served`,
      );
    const dims = (input.shape ?? [1]).map((dim) => (typeof dim === 'number' && dim > 0 ? dim : 1));
    const length = dims.reduce((product, dim) => product * dim, 1);
    feeds[input.name] = new ort.Tensor(input.elementType as 'float32', zeros(length) as Float32Array, dims);
  }
  return feeds;
}

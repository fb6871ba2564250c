/**
 * Joins tensors along the first axis and cuts them apart again, for the dynamic batcher: requests'
 * feeds are concatenated into one run, and the run's outputs split back per request. Works for every
 * element type, including string, int64/uint64 (bigint arrays) and float16 (Uint16Array bits, or
 * Float16Array where the runtime has one). Mismatches are programming errors, hence plain Errors.
 */
import * as ort from 'onnxruntime-node';

type NumericData = Exclude<ort.Tensor['data'], readonly string[]>;
type NumericDataConstructor = new (length: number) => NumericData;

export function concatTensors(parts: readonly ort.Tensor[]): ort.Tensor {
  const first = parts[0];
  if (first === undefined) throw new Error('concatTensors needs at least one tensor');
  if (first.dims.length === 0) throw new Error('concatTensors cannot join rank-0 tensors');
  const trailing = first.dims.slice(1);
  let rows = 0;
  for (const [index, part] of parts.entries()) {
    if (part.type !== first.type) {
      throw new Error(`concatTensors: part ${index} is ${part.type}, part 0 is ${first.type}`);
    }
    if (part.dims.length !== first.dims.length || trailing.some((dim, d) => part.dims[d + 1] !== dim)) {
      throw new Error(
        `concatTensors: part ${index} has dims [${part.dims.join(',')}], part 0 has [${first.dims.join(',')}]`,
      );
    }
    rows += part.dims[0]!;
  }
  if (parts.length === 1) return first;
  const dims = [rows, ...trailing];
  if (first.type === 'string') {
    const data: string[] = [];
    for (const part of parts) for (const value of part.data as readonly string[]) data.push(value);
    return new ort.Tensor('string', data, dims);
  }
  const total = parts.reduce((sum, part) => sum + part.data.length, 0);
  const data = new ((first.data as NumericData).constructor as NumericDataConstructor)(total);
  let offset = 0;
  for (const part of parts) {
    const source = part.data as NumericData;
    // Same constructor for every part (same type), so set() is a plain memory copy.
    (data as Uint8Array).set(source as Uint8Array, offset);
    offset += source.length;
  }
  return tensorOf(first.type, data, dims);
}

/**
 * Cuts `tensor` into consecutive pieces of `rows[i]` rows each (which must add up to its first
 * dimension). Numeric pieces are views onto the tensor's buffer, not copies.
 */
export function splitTensor(tensor: ort.Tensor, rows: readonly number[]): ort.Tensor[] {
  const [batch] = tensor.dims;
  if (batch === undefined) throw new Error('splitTensor cannot split a rank-0 tensor');
  let sum = 0;
  for (const count of rows) {
    if (!Number.isInteger(count) || count < 0) throw new Error(`splitTensor: bad row count ${count}`);
    sum += count;
  }
  if (sum !== batch) throw new Error(`splitTensor: rows add up to ${sum}, the tensor has ${batch}`);
  const pieces: ort.Tensor[] = [];
  let start = 0;
  for (const count of rows) {
    pieces.push(sliceRows(tensor, start, start + count));
    start += count;
  }
  return pieces;
}

/** Rows [begin, end) of a tensor of rank >= 1: a view for numeric data, a copy for strings. */
export function sliceRows(tensor: ort.Tensor, begin: number, end: number): ort.Tensor {
  const [batch, ...trailing] = tensor.dims;
  const width = batch === 0 ? 0 : tensor.data.length / batch!;
  const dims = [end - begin, ...trailing];
  if (tensor.type === 'string')
    return new ort.Tensor('string', (tensor.data as string[]).slice(begin * width, end * width), dims);
  return tensorOf(tensor.type, (tensor.data as NumericData).subarray(begin * width, end * width), dims);
}

function tensorOf(type: ort.Tensor.Type, data: NumericData, dims: readonly number[]): ort.Tensor {
  // The constructor's overloads are per type; the data's class already matches `type`.
  return new ort.Tensor(type as 'float32', data as Float32Array, dims);
}

/**
 * Tensors in row form for the inference log: row i of each tensor whose first dimension is the row
 * count, by name — a scalar when a row holds one value, an array otherwise. Values are JSON-safe
 * (see encodeData in the V2 codec: int64 beyond 2^53 and non-finite floats as strings).
 */
import { encodeData } from '../protocols/tensor-values.js';
import type { WireTensor } from '../runtime/session-wire.js';

export function tensorRows(tensors: readonly WireTensor[], rows: number): Record<string, unknown>[] {
  const out = Array.from({ length: rows }, () => ({}) as Record<string, unknown>);
  for (const tensor of tensors) {
    const { name } = tensor;
    if (tensor.dims[0] !== rows || rows === 0) continue;
    const values = encodeData(tensor);
    const width = values.length / rows;
    for (let r = 0; r < rows; r++)
      out[r]![name] = width === 1 ? values[r] : values.slice(r * width, (r + 1) * width);
  }
  return out;
}

/**
 * The tensor work of dynamic batching (pure, no I/O): the key that says which requests may share a
 * run, concatenation of their feeds along axis 0, and slicing a batch's outputs back per request.
 */
import * as ort from 'onnxruntime-node';
import { concatTensors, sliceRows } from '../protocols/tensor-batching.js';

type Feeds = Record<string, ort.Tensor>;

/** Packed types put two elements in a byte, so rows need not start on a byte: never batched. */
const UNBATCHABLE_TYPES: ReadonlySet<string> = new Set(['int4', 'uint4']);

/**
 * The batch-compatibility key of a request of `rows` rows: input names, element types and trailing
 * dims. Null when the request cannot be batched (a feed whose first axis is not `rows`, packed types).
 */
export function batchKey(feeds: Feeds, rows: number): string | null {
  let key = '';
  for (const name in feeds) {
    const tensor = feeds[name]!;
    const dims = tensor.dims;
    if (dims.length === 0 || dims[0] !== rows || UNBATCHABLE_TYPES.has(tensor.type)) return null;
    key += `${name}\u0000${tensor.type}`;
    for (let i = 1; i < dims.length; i++) key += `,${dims[i]}`;
    key += '\u0001';
  }
  return key;
}

/** Concatenates same-keyed feeds along axis 0, in the order given. */
export function concatFeeds(parts: readonly Feeds[]): Feeds {
  const out: Feeds = {};
  for (const name in parts[0]!) out[name] = concatTensors(parts.map((part) => part[name]!));
  return out;
}

/** True when every output has a first axis of `totalRows`, so it can be split back per request. */
export function splittable(outputs: Feeds, totalRows: number): boolean {
  for (const name in outputs) {
    const tensor = outputs[name];
    if (!(tensor instanceof ort.Tensor) || tensor.location !== 'cpu') return false;
    const dims = tensor.dims;
    if (dims.length === 0 || dims[0] !== totalRows || UNBATCHABLE_TYPES.has(tensor.type)) return false;
  }
  return true;
}

/** Rows [begin, end) of every output; call only after `splittable` said yes. */
export function sliceOutputs(outputs: Feeds, begin: number, end: number): Feeds {
  const out: Feeds = {};
  for (const name in outputs) out[name] = sliceRows(outputs[name]!, begin, end);
  return out;
}

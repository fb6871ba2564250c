/**
 * What the server's event loop and a session thread say to each other: tensors as plain
 * `{ name, type, dims, data }` records (typed arrays and string arrays survive structured cloning;
 * ort.Tensor instances do not), run requests by id, and the answers.
 */
import * as ort from 'onnxruntime-node';

export type Feeds = Record<string, ort.Tensor>;

export interface WireTensor {
  readonly name: string;
  readonly type: ort.Tensor['type'];
  readonly dims: readonly number[];
  readonly data: ort.Tensor['data'];
}

export interface SessionThreadData {
  readonly file: string;
  readonly intraOpThreads: number;
  /** Run once after the session is created; the thread reports `ready` only if it succeeds. */
  readonly warmUp: readonly WireTensor[];
}

export interface RunRequest {
  readonly id: number;
  readonly feeds: readonly WireTensor[];
}

export type RunAnswer =
  | { readonly id: number; readonly outputs: readonly WireTensor[] }
  | { readonly id: number; readonly error: string };

/**
 * Runs travel in groups: every run posted in one event-loop turn goes in one message, and the thread
 * answers a group with one message, because a message's fixed cost (waking the other thread, event
 * dispatch) is larger than a small model's run.
 */
export type ToSessionThread =
  | { readonly kind: 'runs'; readonly runs: readonly RunRequest[] }
  /** Release the session and end the thread. */
  | { readonly kind: 'close' };

export type FromSessionThread =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'answers'; readonly answers: readonly RunAnswer[] };

/**
 * Plain records of the tensors. A typed array that views part of a larger buffer (a row slice of a
 * batch) is copied out, as cloning it would copy the whole buffer.
 */
export function toWire(
  tensors: Readonly<Record<string, Pick<ort.Tensor, 'type' | 'dims' | 'data'>>>,
): WireTensor[] {
  const wire: WireTensor[] = [];
  for (const name in tensors) {
    const { type, dims, data } = tensors[name]!;
    const whole = Array.isArray(data) || data.byteLength === data.buffer.byteLength;
    wire.push({ name, type, dims, data: whole ? data : (data.slice() as typeof data) });
  }
  return wire;
}

export function fromWire(wire: readonly WireTensor[]): Feeds {
  const tensors: Feeds = {};
  for (const { name, type, dims, data } of wire)
    tensors[name] = new ort.Tensor(type as 'float32', data as Float32Array, dims);
  return tensors;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

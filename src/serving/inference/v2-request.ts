/**
 * The envelope of an Open Inference Protocol (KServe V2) request, `{ id?, parameters?, inputs,
 * outputs? }`, checked before its tensors are decoded against the model's signature.
 */
import { InvalidError } from '../../core/errors.js';

/** What a client sends (see parseV2Request for the checks). */
export interface V2InferRequest {
  readonly id?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly inputs: readonly {
    readonly name: string;
    readonly shape: readonly number[];
    readonly datatype: string;
    readonly data: readonly unknown[];
    readonly parameters?: Readonly<Record<string, unknown>>;
  }[];
  readonly outputs?: readonly { readonly name: string }[];
}

export interface V2Request {
  readonly id: string | undefined;
  readonly inputs: unknown;
  /** Requested output names; undefined = all. */
  readonly outputs: readonly string[] | undefined;
}

export function parseV2Request(body: unknown): V2Request {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidError('the request body must be a JSON object with an "inputs" array', {
      field: 'body',
    });
  const { id, inputs, outputs } = body as Record<string, unknown>;
  if (id !== undefined && typeof id !== 'string')
    throw new InvalidError(`id must be a string, got ${JSON.stringify(id)}`, { field: 'id' });
  if (outputs !== undefined && !Array.isArray(outputs))
    throw new InvalidError('outputs must be an array of { "name": … }', { field: 'outputs' });
  const names = outputs?.map((output, i) => {
    const name = (output as { name?: unknown } | null)?.name;
    if (typeof name !== 'string')
      throw new InvalidError(`outputs[${i}].name must be a string`, { field: `outputs[${i}].name` });
    return name;
  });
  return { id, inputs, outputs: names };
}

/** The first value of the input named `name`, as a routing key (a request is routed as a whole). */
export function firstInputValue(inputs: unknown, name: string): string | undefined {
  if (!Array.isArray(inputs)) return undefined;
  const input = inputs.find((entry) => (entry as { name?: unknown } | null)?.name === name) as
    | { data?: unknown }
    | undefined;
  let value = input?.data;
  while (Array.isArray(value)) value = value[0];
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
}

/**
 * The codec between KServe V2 / Open Inference Protocol JSON tensors and onnxruntime tensors.
 *
 * Requests: every model input exactly once, its datatype equal to the model's, its shape of the
 * model's rank with fixed dimensions matching, `data` flat or nested row-major. JSON has no NaN or
 * Infinity, so float inputs (FP16/FP32/FP64) also accept the strings "NaN", "Infinity" and
 * "-Infinity"; a number outside the type's finite range (1e39 for FP32, 1e400 parsing to Infinity)
 * is an error rather than a silent Infinity. INT64/UINT64 take safe-integer numbers, or decimal
 * strings for any value (the only exact way past 2^53). BOOL takes true/false only, BYTES strings.
 *
 * Responses: data flat row-major; floats that are NaN/±Infinity become those same strings; INT64/
 * UINT64 values are JSON numbers within ±Number.MAX_SAFE_INTEGER and decimal strings beyond it;
 * FP16 is decoded to the exact number the half stands for; BOOL is true/false.
 *
 * The flat numeric path fills a typed array in one loop that validates as it copies; nested data is
 * first checked against the shape and flattened.
 */
import * as ort from 'onnxruntime-node';
import { InvalidError } from '../../core/errors.js';
import type { ModelSignature, TensorSpec } from '../../registry/index.js';
import { decodeTensor, encodeData, formatShape, show } from './tensor-values.js';
import { v2Datatype } from './v2-datatypes.js';

export { concatTensors, splitTensor } from './tensor-batching.js';
export { V2_DATATYPES, v2Datatype } from './v2-datatypes.js';

export interface V2InputTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
  parameters?: Record<string, unknown>;
}

export interface V2OutputTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

export interface DecodedInputs {
  readonly feeds: Record<string, ort.Tensor>;
  /** The first dimension all inputs share (the batch size), or -1 when they disagree or one is rank 0. */
  readonly rows: number;
}

const specsBySignature = new WeakMap<ModelSignature, Map<string, TensorSpec>>();

export function decodeInputs(inputs: unknown, signature: ModelSignature): DecodedInputs {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new InvalidError("'inputs' must be a non-empty array of tensors", { field: 'inputs' });
  }
  let specs = specsBySignature.get(signature);
  if (specs === undefined) {
    specs = new Map(signature.inputs.map((spec) => [spec.name, spec]));
    specsBySignature.set(signature, specs);
  }
  const feeds: Record<string, ort.Tensor> = {};
  let rows = 0;
  for (let i = 0; i < inputs.length; i++) {
    const field = `inputs[${i}]`;
    const raw: unknown = inputs[i];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InvalidError(`${field} must be an object with name, shape, datatype and data`, { field });
    }
    const { name, shape, datatype, data, parameters } = raw as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') {
      throw new InvalidError(`${field}.name must be a non-empty string`, { field: `${field}.name` });
    }
    const spec = specs.get(name);
    if (spec === undefined) {
      const known = signature.inputs.map((input) => input.name).join(', ');
      throw new InvalidError(`unknown input '${name}'; the model's inputs are: ${known}`, {
        field: `${field}.name`,
        input: name,
      });
    }
    if (Object.hasOwn(feeds, name)) {
      throw new InvalidError(`input '${name}' appears more than once`, {
        field: `${field}.name`,
        input: name,
      });
    }
    const elementType = checkDatatype(name, datatype, spec, field);
    const dims = checkShape(name, shape, spec, field);
    if (!Array.isArray(data)) {
      const binary =
        typeof parameters === 'object' && parameters !== null && 'binary_data_size' in parameters;
      throw new InvalidError(
        binary
          ? `input '${name}': binary tensor data is not supported; send data as a JSON array`
          : `input '${name}': data must be an array`,
        { field: `${field}.data`, input: name },
      );
    }
    feeds[name] = decodeTensor(elementType, data, dims, {
      name,
      field: `${field}.data`,
      dims,
      nested: false,
    });
    const first = dims.length === 0 ? -1 : dims[0]!;
    rows = i === 0 || rows === first ? first : -1;
  }
  for (const spec of signature.inputs) {
    if (!Object.hasOwn(feeds, spec.name)) {
      throw new InvalidError(`missing input '${spec.name}'`, { field: 'inputs', input: spec.name });
    }
  }
  return { feeds, rows };
}

function checkDatatype(name: string, datatype: unknown, spec: TensorSpec, field: string): string {
  const expected = spec.kind === 'tensor' ? v2Datatype(spec.elementType) : undefined;
  if (expected === undefined) {
    const what = spec.kind === 'tensor' ? `element type ${spec.elementType}` : `a ${spec.kind}`;
    throw new InvalidError(`input '${name}': the model expects ${what}, which the V2 protocol cannot carry`, {
      field: `${field}.datatype`,
      input: name,
    });
  }
  if (datatype !== expected) {
    const given = typeof datatype === 'string' ? datatype : show(datatype);
    throw new InvalidError(`input '${name}': datatype ${given} does not match the model's ${expected}`, {
      field: `${field}.datatype`,
      input: name,
      expected,
    });
  }
  return spec.elementType;
}

function checkShape(name: string, shape: unknown, spec: TensorSpec, field: string): number[] {
  if (!Array.isArray(shape)) {
    throw new InvalidError(`input '${name}': shape must be an array of non-negative integers`, {
      field: `${field}.shape`,
      input: name,
    });
  }
  for (let d = 0; d < shape.length; d++) {
    const dim: unknown = shape[d];
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new InvalidError(`input '${name}': shape[${d}] is ${show(dim)}, not a non-negative integer`, {
        field: `${field}.shape[${d}]`,
        input: name,
      });
    }
  }
  const expected = spec.shape;
  if (expected === null || expected === undefined) return shape;
  if (expected.length !== shape.length) {
    throw new InvalidError(
      `input '${name}': shape ${formatShape(shape)} has rank ${shape.length}, the model expects rank ${expected.length} ${formatShape(expected)}`,
      { field: `${field}.shape`, input: name, expected },
    );
  }
  for (let d = 0; d < shape.length; d++) {
    const want = expected[d];
    if (typeof want === 'number' && want >= 0 && want !== shape[d]) {
      throw new InvalidError(
        `input '${name}': shape ${formatShape(shape)} does not match the model's ${formatShape(expected)} at dimension ${d}`,
        { field: `${field}.shape[${d}]`, input: name, expected },
      );
    }
  }
  return shape;
}

/**
 * The output names a response carries, validated: the signature's outputs in order, or `requested`'s
 * (undefined or empty means all). Unknown names and outputs the signature declares as non-tensors
 * are InvalidErrors. Call it before running to fail early and to get the fetch list;
 * onnxruntime-node 1.30 itself refuses to run models with non-tensor outputs fetched ("Non tensor
 * type is temporarily not supported").
 */
export function resolveOutputs(
  requested: readonly string[] | undefined,
  signature: ModelSignature,
): string[] {
  const all = requested === undefined || requested.length === 0;
  const names = all ? signature.outputs.map((output) => output.name) : [...requested];
  names.forEach((name, i) => {
    const spec = signature.outputs.find((output) => output.name === name);
    if (spec === undefined) {
      const known = signature.outputs.map((output) => output.name).join(', ');
      throw new InvalidError(`unknown output '${name}'; the model's outputs are: ${known}`, {
        field: `outputs[${i}].name`,
        output: name,
      });
    }
    if (spec.kind !== 'tensor') throw notATensor(name, `a ${spec.kind} (${spec.elementType})`);
  });
  return names;
}

/** The V2 outputs for `resolveOutputs(requested, signature)`, from a session's results. */
export function encodeOutputs(
  results: Readonly<Record<string, ort.Tensor>>,
  requested: readonly string[] | undefined,
  signature: ModelSignature,
): V2OutputTensor[] {
  return resolveOutputs(requested, signature).map((name) => encodeOutput(name, results[name]));
}

function encodeOutput(name: string, value: unknown): V2OutputTensor {
  if (!(value instanceof ort.Tensor)) {
    if (value === undefined) throw new Error(`output '${name}' is not among the session's results`);
    throw notATensor(name, Array.isArray(value) ? 'a sequence' : `a ${typeof value}`);
  }
  const datatype = v2Datatype(value.type);
  if (datatype === undefined) {
    throw new InvalidError(
      `output '${name}' has element type ${value.type}, which the V2 protocol cannot carry`,
      { output: name },
    );
  }
  return { name, shape: [...value.dims], datatype, data: encodeData(value) };
}

function notATensor(name: string, kind: string): InvalidError {
  return new InvalidError(
    `output '${name}' is ${kind}, not a tensor; the V2 protocol supports tensor outputs only`,
    { output: name },
  );
}

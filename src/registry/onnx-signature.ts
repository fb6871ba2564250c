/**
 * Reads an ONNX model's signature from its bytes (pure, no I/O): graph inputs that are not
 * initializers, outputs, element types, shapes with symbolic dimensions, opsets and producer. Bytes
 * that do not decode as an ONNX ModelProto, or decode to something that is not a usable model, are
 * INVALID_MODEL with the parser's reason.
 */
import onnxProto from 'onnx-proto';
import { InvalidError } from '../core/errors.js';
import type { ModelSignature, TensorSpec } from './entities.js';

const { onnx } = onnxProto;

/** protobuf messages are limited to 2 GiB; larger ONNX models keep their weights as external data. */
export const MAX_ONNX_BYTES = 2 ** 31 - 1;

const ELEMENT_TYPES: Readonly<Record<number, string>> = {
  0: 'undefined',
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

type Int64 = number | { toNumber(): number } | null | undefined;

export function readOnnxSignature(bytes: Uint8Array): ModelSignature {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw invalid(`does not decode as an ONNX protobuf (${(error as Error).message})`);
  }
  const irVersion = toNumber(model.irVersion);
  if (bytes.byteLength === 0) throw invalid('is empty');
  if (irVersion < 1) throw invalid('has no ir_version, so it is not an ONNX ModelProto');
  const graph = model.graph;
  if (graph === null || graph === undefined) throw invalid('has no graph');
  if ((graph.output ?? []).length === 0) throw invalid('has a graph without outputs');
  if ((model.opsetImport ?? []).length === 0)
    throw invalid('imports no operator set (opset_import is empty)');
  for (const node of graph.node ?? []) {
    if ((node.opType ?? '') === '')
      throw invalid(`has a node without an op_type (node '${node.name ?? ''}')`);
  }
  const initializers = new Set<string>([
    ...(graph.initializer ?? []).map((tensor) => tensor.name ?? ''),
    ...(graph.sparseInitializer ?? []).map((tensor) => tensor.values?.name ?? ''),
  ]);
  const inputs = (graph.input ?? []).filter((value) => !initializers.has(value.name ?? '')).map(toSpec);
  const outputs = (graph.output ?? []).map(toSpec);
  for (const spec of [...inputs, ...outputs]) {
    if (spec.name === '') throw invalid('has a graph input or output without a name');
  }
  return {
    inputs,
    outputs,
    opsets: (model.opsetImport ?? []).map((opset) => ({
      domain: opset.domain ?? '',
      version: toNumber(opset.version as Int64),
    })),
    irVersion,
    producerName: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    metadata: Object.fromEntries(
      (model.metadataProps ?? []).map((entry) => [entry.key ?? '', entry.value ?? '']),
    ),
  };
}

function toSpec(value: onnxProto.onnx.IValueInfoProto): TensorSpec {
  const name = value.name ?? '';
  const type = value.type;
  if (type?.tensorType !== undefined && type.tensorType !== null) {
    const tensor = type.tensorType;
    return {
      name,
      kind: 'tensor',
      elementType: elementTypeName(tensor.elemType),
      shape:
        tensor.shape === undefined || tensor.shape === null
          ? null
          : (tensor.shape.dim ?? []).map((dim) => toDim(dim as onnxProto.onnx.TensorShapeProto.Dimension)),
    };
  }
  if (type?.sparseTensorType !== undefined && type.sparseTensorType !== null) {
    const tensor = type.sparseTensorType;
    return {
      name,
      kind: 'sparse_tensor',
      elementType: elementTypeName(tensor.elemType),
      shape:
        tensor.shape === undefined || tensor.shape === null
          ? null
          : (tensor.shape.dim ?? []).map((dim) => toDim(dim as onnxProto.onnx.TensorShapeProto.Dimension)),
    };
  }
  const description = describeType(type);
  return { name, kind: description.kind, elementType: description.text };
}

function describeType(type: onnxProto.onnx.ITypeProto | null | undefined): { kind: string; text: string } {
  if (type === null || type === undefined) return { kind: 'unknown', text: 'unknown' };
  if (type.tensorType)
    return { kind: 'tensor', text: `tensor(${elementTypeName(type.tensorType.elemType)})` };
  if (type.sparseTensorType) {
    return {
      kind: 'sparse_tensor',
      text: `sparse_tensor(${elementTypeName(type.sparseTensorType.elemType)})`,
    };
  }
  if (type.sequenceType)
    return { kind: 'sequence', text: `sequence(${describeType(type.sequenceType.elemType).text})` };
  if (type.optionalType)
    return { kind: 'optional', text: `optional(${describeType(type.optionalType.elemType).text})` };
  if (type.mapType) {
    return {
      kind: 'map',
      text: `map(${elementTypeName(type.mapType.keyType)},${describeType(type.mapType.valueType).text})`,
    };
  }
  return { kind: 'unknown', text: 'unknown' };
}

/** `value` names which member of the dimension's oneof is set; neither set means unknown. */
function toDim(dim: onnxProto.onnx.TensorShapeProto.Dimension): number | string | null {
  if (dim.value === 'dimParam' && dim.dimParam) return dim.dimParam;
  if (dim.value === 'dimValue') return toNumber(dim.dimValue as Int64);
  return null;
}

function elementTypeName(code: number | null | undefined): string {
  return ELEMENT_TYPES[code ?? 0] ?? `type${code}`;
}

function toNumber(value: Int64): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

function invalid(problem: string): InvalidError {
  return new InvalidError(
    `model file is not a valid ONNX model: it ${problem}`,
    { format: 'onnx', reason: problem },
    'INVALID_MODEL',
  );
}

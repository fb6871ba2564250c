/**
 * Small, generic builders for ONNX protobuf messages (pure, no I/O), shared by the trainers'
 * exporters: typed attributes, initialisers, value infos and the final model encoding. They hide
 * onnx-proto's loosely typed message constructors behind a few typed functions.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type OnnxNode = ReturnType<typeof onnx.NodeProto.create>;
export type OnnxTensor = ReturnType<typeof onnx.TensorProto.create>;
export type OnnxValueInfo = ReturnType<typeof onnx.ValueInfoProto.create>;
export type OnnxAttribute = ReturnType<typeof onnx.AttributeProto.create>;

/** The ONNX domain of the classical machine-learning operators (Imputer, OneHotEncoder, ...). */
export const ML_DOMAIN = 'ai.onnx.ml';

export const ElemType = {
  float: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  string: onnx.TensorProto.DataType.STRING,
} as const;
export type ElemTypeName = keyof typeof ElemType;

/** An attribute value; arrays are typed by their first element's kind via the explicit tag. */
export type AttributeValue =
  | { readonly float: number }
  | { readonly int: number }
  | { readonly string: string }
  | { readonly floats: readonly number[] }
  | { readonly ints: readonly number[] }
  | { readonly strings: readonly string[] };

const utf8 = new TextEncoder();
const AttrType = onnx.AttributeProto.AttributeType;

function attribute(name: string, value: AttributeValue): OnnxAttribute {
  if ('float' in value) return onnx.AttributeProto.create({ name, type: AttrType.FLOAT, f: value.float });
  if ('int' in value) return onnx.AttributeProto.create({ name, type: AttrType.INT, i: value.int });
  if ('string' in value) {
    return onnx.AttributeProto.create({ name, type: AttrType.STRING, s: utf8.encode(value.string) });
  }
  if ('floats' in value) {
    return onnx.AttributeProto.create({ name, type: AttrType.FLOATS, floats: [...value.floats] });
  }
  if ('ints' in value)
    return onnx.AttributeProto.create({ name, type: AttrType.INTS, ints: [...value.ints] });
  return onnx.AttributeProto.create({
    name,
    type: AttrType.STRINGS,
    strings: value.strings.map((text) => utf8.encode(text)),
  });
}

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

export function node(spec: NodeSpec): OnnxNode {
  return onnx.NodeProto.create({
    opType: spec.op,
    input: [...spec.inputs],
    output: [...spec.outputs],
    name: spec.name,
    domain: spec.domain ?? '',
    attribute: Object.entries(spec.attributes ?? {}).map(([name, value]) => attribute(name, value)),
  });
}

export function floatInitializer(
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
): OnnxTensor {
  return onnx.TensorProto.create({
    name,
    dataType: ElemType.float,
    dims: [...dims],
    floatData: Array.from(values),
  });
}

export function int64Initializer(
  name: string,
  dims: readonly number[],
  values: readonly number[],
): OnnxTensor {
  return onnx.TensorProto.create({ name, dataType: ElemType.int64, dims: [...dims], int64Data: [...values] });
}

/** A graph input or output; string dimensions are symbolic (e.g. the batch size 'N'). */
export function valueInfo(
  name: string,
  elem: ElemTypeName,
  dims: readonly (number | string)[],
): OnnxValueInfo {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ElemType[elem],
        shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  });
}

export interface GraphSpec {
  readonly name: string;
  readonly docString?: string;
  readonly producer: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** Encodes a model importing the default domain at opset 13 and ai.onnx.ml at opset 2. */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: spec.name,
    docString: spec.docString ?? '',
    node: [...spec.nodes],
    initializer: [...spec.initializers],
    input: [...spec.inputs],
    output: [...spec.outputs],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: spec.producer,
    opsetImport: [
      { domain: '', version: 13 },
      { domain: ML_DOMAIN, version: 2 },
    ],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

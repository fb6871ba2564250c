/**
 * Small ONNX models as bytes, for the serving tests and benchmarks: an Identity per element type, a
 * seeded MLP classifier, a two-input model and one that fails at run time. Built with the exporters'
 * helpers (default opset 13, IR version 8, which onnxruntime-node 1.30 loads).
 */
import onnxProto from 'onnx-proto';
import {
  encodeModel,
  floatInitializer,
  node,
  type OnnxValueInfo,
  valueInfo,
} from '../../src/training/onnx-common/onnx-graph.js';
import { seededRandom } from '../../src/training/random.js';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/** ONNX element type names (as in ModelSignature) -> TensorProto data types. */
const ELEMENT_TYPES: Readonly<Record<string, number>> = {
  float32: DataType.FLOAT,
  uint8: DataType.UINT8,
  int8: DataType.INT8,
  uint16: DataType.UINT16,
  int16: DataType.INT16,
  int32: DataType.INT32,
  int64: DataType.INT64,
  string: DataType.STRING,
  bool: DataType.BOOL,
  float16: DataType.FLOAT16,
  float64: DataType.DOUBLE,
  uint32: DataType.UINT32,
  uint64: DataType.UINT64,
};

function tensorInfo(name: string, elementType: string, shape: readonly (number | string)[]): OnnxValueInfo {
  const elemType = ELEMENT_TYPES[elementType];
  if (elemType === undefined) throw new Error(`no ONNX data type for '${elementType}'`);
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  });
}

/** y = Identity(x), both of `elementType` and `shape` (string dimensions are symbolic). */
export function identityModel(elementType: string, shape: readonly (number | string)[]): Uint8Array {
  return encodeModel({
    name: `identity_${elementType}`,
    producer: 'slipway-tests',
    nodes: [node({ op: 'Identity', name: 'identity', inputs: ['x'], outputs: ['y'] })],
    initializers: [],
    inputs: [tensorInfo('x', elementType, shape)],
    outputs: [tensorInfo('y', elementType, shape)],
  });
}

export interface MlpOptions {
  readonly inputs: number;
  readonly hidden: readonly number[];
  readonly outputs: number;
  readonly seed: number;
}

/**
 * `input` float32 [N, inputs] -> (MatMul + Add + Relu) per hidden layer -> MatMul + Add -> Softmax:
 * `probabilities` float32 [N, outputs], and `label` int64 [N] = ArgMax(probabilities, axis 1).
 * Weights are uniform in ±1/sqrt(fan-in) from a seeded PRNG, biases a tenth of that.
 */
export function mlpModel(options: MlpOptions): Uint8Array {
  const random = seededRandom(options.seed);
  const nodes = [];
  const initializers = [];
  const widths = [options.inputs, ...options.hidden, options.outputs];
  let current = 'input';
  for (let layer = 0; layer < widths.length - 1; layer++) {
    const fanIn = widths[layer]!;
    const fanOut = widths[layer + 1]!;
    const scale = 1 / Math.sqrt(fanIn);
    const weights = Array.from({ length: fanIn * fanOut }, () => (2 * random() - 1) * scale);
    const biases = Array.from({ length: fanOut }, () => (2 * random() - 1) * scale * 0.1);
    initializers.push(floatInitializer(`w${layer}`, [fanIn, fanOut], weights));
    initializers.push(floatInitializer(`b${layer}`, [fanOut], biases));
    const last = layer === widths.length - 2;
    nodes.push(
      node({ op: 'MatMul', name: `matmul${layer}`, inputs: [current, `w${layer}`], outputs: [`mm${layer}`] }),
    );
    nodes.push(
      node({
        op: 'Add',
        name: `add${layer}`,
        inputs: [`mm${layer}`, `b${layer}`],
        outputs: [last ? 'logits' : `pre${layer}`],
      }),
    );
    if (!last) {
      nodes.push(node({ op: 'Relu', name: `relu${layer}`, inputs: [`pre${layer}`], outputs: [`h${layer}`] }));
      current = `h${layer}`;
    }
  }
  nodes.push(
    node({
      op: 'Softmax',
      name: 'softmax',
      inputs: ['logits'],
      outputs: ['probabilities'],
      attributes: { axis: { int: 1 } },
    }),
  );
  nodes.push(
    node({
      op: 'ArgMax',
      name: 'argmax',
      inputs: ['probabilities'],
      outputs: ['label'],
      attributes: { axis: { int: 1 }, keepdims: { int: 0 } },
    }),
  );
  return encodeModel({
    name: 'mlp',
    producer: 'slipway-tests',
    nodes,
    initializers,
    inputs: [valueInfo('input', 'float', ['N', options.inputs])],
    outputs: [
      valueInfo('probabilities', 'float', ['N', options.outputs]),
      valueInfo('label', 'int64', ['N']),
    ],
  });
}

/** `a` float32 [N, 3] and `b` int64 [N, 1] -> `sum` float32 [N, 3] = a + Cast(b, float). */
export function twoInputModel(): Uint8Array {
  return encodeModel({
    name: 'two_inputs',
    producer: 'slipway-tests',
    nodes: [
      node({
        op: 'Cast',
        name: 'cast',
        inputs: ['b'],
        outputs: ['b_float'],
        attributes: { to: { int: DataType.FLOAT } },
      }),
      node({ op: 'Add', name: 'add', inputs: ['a', 'b_float'], outputs: ['sum'] }),
    ],
    initializers: [],
    inputs: [valueInfo('a', 'float', ['N', 3]), valueInfo('b', 'int64', ['N', 1])],
    outputs: [valueInfo('sum', 'float', ['N', 3])],
  });
}

/** The values `failingModel` gathers from; any index outside -4..3 makes the run fail. */
export const FAILING_MODEL_TABLE = [10, 20, 30, 40] as const;

/**
 * `index` int64 [N] -> `value` float32 [N] = Gather(FAILING_MODEL_TABLE, index). It loads, and runs
 * for indices in -4..3; an index out of that range (e.g. 7) makes session.run throw
 * ("indices element out of data bounds").
 */
export function failingModel(): Uint8Array {
  return encodeModel({
    name: 'failing',
    producer: 'slipway-tests',
    nodes: [node({ op: 'Gather', name: 'gather', inputs: ['table', 'index'], outputs: ['value'] })],
    initializers: [floatInitializer('table', [FAILING_MODEL_TABLE.length], FAILING_MODEL_TABLE)],
    inputs: [valueInfo('index', 'int64', ['N'])],
    outputs: [valueInfo('value', 'float', ['N'])],
  });
}

/** For checking how onnxruntime returns a non-tensor (seq(map)) output: ZipMap over x float32 [N, 2]. */
export function zipMapModel(): Uint8Array {
  const model = onnx.ModelProto.decode(
    encodeModel({
      name: 'zipmap',
      producer: 'slipway-tests',
      nodes: [
        node({
          op: 'ZipMap',
          name: 'zipmap',
          domain: 'ai.onnx.ml',
          inputs: ['x'],
          outputs: ['y'],
          attributes: { classlabels_int64s: { ints: [0, 1] } },
        }),
      ],
      initializers: [],
      inputs: [valueInfo('x', 'float', ['N', 2])],
      outputs: [],
    }),
  );
  model.graph!.output = [
    onnx.ValueInfoProto.create({
      name: 'y',
      type: {
        sequenceType: {
          elemType: {
            mapType: { keyType: DataType.INT64, valueType: { tensorType: { elemType: DataType.FLOAT } } },
          },
        },
      },
    }),
  ];
  return onnx.ModelProto.encode(model).finish();
}

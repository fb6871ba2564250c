/**
 * Exports a logistic model as a self-contained ONNX graph (pure, no I/O):
 *   features float32[N, F] -> MatMul(W') -> Add(b') -> Sigmoid -> probability float32[N, 1]
 * with the standardisation folded into W' = W / std and b' = b - sum(W * mean / std).
 */
import onnxProto from 'onnx-proto';
import type { LogisticModel } from './logistic-regression.js';

const { onnx } = onnxProto;

export const ONNX_INPUT = 'features';
export const ONNX_OUTPUT = 'probability';

export function logisticToOnnx(model: LogisticModel, featureNames: readonly string[]): Uint8Array {
  const width = model.weights.length;
  const folded = Array.from(model.weights, (w, f) => w / model.std[f]!);
  const bias = model.bias - folded.reduce((sum, w, f) => sum + w * model.mean[f]!, 0);
  const floatType = onnx.TensorProto.DataType.FLOAT;
  const tensorType = (dims: (number | string)[]) => ({
    tensorType: {
      elemType: floatType,
      shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
    },
  });
  const graph = onnx.GraphProto.create({
    name: 'logistic_regression',
    docString: `features: ${featureNames.join(', ')}`,
    initializer: [
      onnx.TensorProto.create({ name: 'W', dataType: floatType, dims: [width, 1], floatData: folded }),
      onnx.TensorProto.create({ name: 'B', dataType: floatType, dims: [1], floatData: [bias] }),
    ],
    node: [
      onnx.NodeProto.create({ opType: 'MatMul', input: [ONNX_INPUT, 'W'], output: ['z0'], name: 'matmul' }),
      onnx.NodeProto.create({ opType: 'Add', input: ['z0', 'B'], output: ['z'], name: 'add' }),
      onnx.NodeProto.create({ opType: 'Sigmoid', input: ['z'], output: [ONNX_OUTPUT], name: 'sigmoid' }),
    ],
    input: [onnx.ValueInfoProto.create({ name: ONNX_INPUT, type: tensorType(['N', width]) })],
    output: [onnx.ValueInfoProto.create({ name: ONNX_OUTPUT, type: tensorType(['N', 1]) })],
  });
  const modelProto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'slipway-quickstart',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(modelProto).finish();
}

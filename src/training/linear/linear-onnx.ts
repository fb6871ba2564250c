/**
 * Exports a linear model as a self-contained ONNX graph (pure, no I/O) with the encoding folded in:
 *   inputs: one per feature, named after it, [N, 1] — float32 for numeric (NaN = missing), string
 *   for categorical (a missing value is passed as '')
 *   numeric:      Concat → Imputer(training means) → Sub(means); 1/std folded into the weights
 *   categorical:  OneHotEncoder(training categories, zeros=1: unseen → all zeros) → Reshape [N, K]
 *   Concat → MatMul → Add → Sigmoid ([1 − p, p]) or Softmax → `probabilities` float32 [N, C],
 *   ArgMax → LabelEncoder → `label` string [N] (the class name); ridge → `value` float32 [N, 1].
 */
import {
  encodeModel,
  floatInitializer,
  int64Initializer,
  ML_DOMAIN,
  node,
  type OnnxNode,
  type OnnxTensor,
  valueInfo,
} from '../onnx-common/onnx-graph.js';
import type { LinearEncoding } from './linear-encoding.js';
import type { LinearModel } from './linear-model.js';

export const LINEAR_ONNX_OUTPUTS = {
  label: 'label',
  probabilities: 'probabilities',
  value: 'value',
} as const;

const PRODUCER = 'slipway-training-linear';
const ENCODED = 'linear/encoded';
const LOGITS = 'linear/logits';

interface EncodingGraph {
  readonly nodes: OnnxNode[];
  readonly initializers: OnnxTensor[];
}

/** Nodes turning the raw inputs into the encoded matrix `ENCODED` [N, width]. */
function encodingGraph(encoding: LinearEncoding): EncodingGraph {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const blocks: string[] = [];
  if (encoding.numeric.length > 0) {
    const means = encoding.numeric.map((spec) => spec.mean);
    nodes.push(
      node({
        op: 'Concat',
        name: 'numeric_concat',
        inputs: encoding.numeric.map((spec) => spec.name),
        outputs: ['linear/numeric_raw'],
        attributes: { axis: { int: 1 } },
      }),
      node({
        op: 'Imputer',
        domain: ML_DOMAIN,
        name: 'numeric_impute',
        inputs: ['linear/numeric_raw'],
        outputs: ['linear/numeric_imputed'],
        attributes: { imputed_value_floats: { floats: means }, replaced_value_float: { float: Number.NaN } },
      }),
      node({
        op: 'Sub',
        name: 'numeric_centre',
        inputs: ['linear/numeric_imputed', 'linear/means'],
        outputs: ['linear/numeric_centred'],
      }),
    );
    initializers.push(floatInitializer('linear/means', [means.length], means));
    blocks.push('linear/numeric_centred');
  }
  encoding.categorical.forEach((spec, index) => {
    if (spec.categories.length === 0) return; // never seen a value: contributes no column
    const hot = `linear/onehot_${index}`;
    const shape = `linear/onehot_shape_${index}`;
    nodes.push(
      node({
        op: 'OneHotEncoder',
        domain: ML_DOMAIN,
        name: `onehot_${index}`,
        inputs: [spec.name],
        outputs: [hot],
        attributes: { cats_strings: { strings: spec.categories }, zeros: { int: 1 } },
      }),
      node({ op: 'Reshape', name: `onehot_reshape_${index}`, inputs: [hot, shape], outputs: [`${hot}_2d`] }),
    );
    initializers.push(int64Initializer(shape, [2], [-1, spec.categories.length]));
    blocks.push(`${hot}_2d`);
  });
  if (blocks.length === 0) throw new RangeError('the model has no encoded columns to export');
  nodes.push(
    node({
      op: 'Concat',
      name: 'encoded_concat',
      inputs: blocks,
      outputs: [ENCODED],
      attributes: { axis: { int: 1 } },
    }),
  );
  return { nodes, initializers };
}

/** Weights as a [width, outputs] matrix in the graph's column order, with 1/std folded in. */
function foldedWeights(encoding: LinearEncoding, weights: Float64Array, outputs: number): Float64Array {
  const { width } = encoding;
  const out = new Float64Array(width * outputs);
  for (let k = 0; k < outputs; k++) {
    for (let j = 0; j < width; j++) {
      const scale = j < encoding.numeric.length ? 1 / encoding.numeric[j]!.std : 1;
      out[j * outputs + k] = weights[k * width + j]! * scale;
    }
  }
  return out;
}

export function linearModelToOnnx(model: LinearModel): Uint8Array {
  const { encoding } = model;
  const outputNames = new Set<string>(Object.values(LINEAR_ONNX_OUTPUTS));
  const inputs = [
    ...encoding.numeric.map((spec) => valueInfo(spec.name, 'float', ['N', 1])),
    ...encoding.categorical.map((spec) => valueInfo(spec.name, 'string', ['N', 1])),
  ];
  for (const input of inputs) {
    if (outputNames.has(input.name) || input.name.startsWith('linear/')) {
      throw new RangeError(`feature name '${input.name}' clashes with a name the ONNX graph uses`);
    }
  }
  const { nodes, initializers } = encodingGraph(encoding);
  const outputs = model.kind === 'logistic' ? model.outputs : 1;
  const intercepts = model.kind === 'logistic' ? model.intercepts : [model.intercept];
  initializers.push(
    floatInitializer(
      'linear/weights',
      [encoding.width, outputs],
      foldedWeights(encoding, model.weights, outputs),
    ),
    floatInitializer('linear/intercepts', [outputs], intercepts),
  );
  const linearOutput = model.kind === 'ridge' ? LINEAR_ONNX_OUTPUTS.value : LOGITS;
  nodes.push(
    node({ op: 'MatMul', name: 'matmul', inputs: [ENCODED, 'linear/weights'], outputs: ['linear/product'] }),
    node({
      op: 'Add',
      name: 'add',
      inputs: ['linear/product', 'linear/intercepts'],
      outputs: [linearOutput],
    }),
  );
  if (model.kind === 'ridge') {
    return encodeModel({
      name: 'ridge_regression',
      producer: PRODUCER,
      nodes,
      initializers,
      inputs,
      outputs: [valueInfo(LINEAR_ONNX_OUTPUTS.value, 'float', ['N', 1])],
    });
  }
  const { probabilities, label } = LINEAR_ONNX_OUTPUTS;
  if (model.outputs === 1) {
    initializers.push(floatInitializer('linear/one', [1], [1]));
    nodes.push(
      node({ op: 'Sigmoid', name: 'sigmoid', inputs: [LOGITS], outputs: ['linear/positive'] }),
      node({
        op: 'Sub',
        name: 'negative',
        inputs: ['linear/one', 'linear/positive'],
        outputs: ['linear/negative'],
      }),
      node({
        op: 'Concat',
        name: 'probabilities',
        inputs: ['linear/negative', 'linear/positive'],
        outputs: [probabilities],
        attributes: { axis: { int: 1 } },
      }),
    );
  } else {
    nodes.push(
      node({
        op: 'Softmax',
        name: 'softmax',
        inputs: [LOGITS],
        outputs: [probabilities],
        attributes: { axis: { int: 1 } },
      }),
    );
  }
  nodes.push(
    node({
      op: 'ArgMax',
      name: 'argmax',
      inputs: [probabilities],
      outputs: ['linear/label_index'],
      attributes: { axis: { int: 1 }, keepdims: { int: 0 } },
    }),
    node({
      op: 'LabelEncoder',
      domain: ML_DOMAIN,
      name: 'label_names',
      inputs: ['linear/label_index'],
      outputs: [label],
      attributes: {
        keys_int64s: { ints: model.classes.map((_, index) => index) },
        values_strings: { strings: model.classes },
        default_string: { string: '' },
      },
    }),
  );
  return encodeModel({
    name: 'logistic_regression',
    producer: PRODUCER,
    nodes,
    initializers,
    inputs,
    outputs: [
      valueInfo(label, 'string', ['N']),
      valueInfo(probabilities, 'float', ['N', model.classes.length]),
    ],
  });
}

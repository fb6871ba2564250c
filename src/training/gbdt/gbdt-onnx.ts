/**
 * Exports a GBDT model as a self-contained ONNX graph (pure, no I/O):
 *   one input per feature, [N, 1]: float32 for numeric (NaN = missing), string for categorical
 *   (the empty string = missing); categorical strings -> ai.onnx.ml LabelEncoder -> float codes, with
 *   unseen categories -> NaN so they route like missing values, exactly as the TS binning does;
 *   Concat -> [N, F] -> ai.onnx.ml TreeEnsembleClassifier (LOGISTIC / SOFTMAX) or TreeEnsembleRegressor.
 * Outputs: classifiers `label` (string [N], the class name) and `probabilities` (float32 [N, C]);
 * regressors `value` (float32 [N, 1]).
 *
 * Splits are BRANCH_LEQ on float32 thresholds: a numeric split at bin t uses the bin's float32 upper
 * edge (the TS binning compares Math.fround(x) <= edge, so both sides decide identically), the split
 * that separates all present values from missing uses +Infinity, and a categorical split uses t + 0.5.
 * Missing values follow nodes_missing_value_tracks_true (the learned default direction).
 */
import onnxProto from 'onnx-proto';
import type { FeatureBinning } from './binning.js';
import type { GbdtModel } from './gbdt-model.js';
import { attribute } from './onnx-attributes.js';
import type { RegressionTree } from './tree.js';

const { onnx } = onnxProto;

export const GBDT_ONNX_OUTPUTS = { label: 'label', probabilities: 'probabilities', value: 'value' } as const;

const ML_DOMAIN = 'ai.onnx.ml';
const FEATURES = 'slipway_gbdt/features';

function splitThreshold(spec: FeatureBinning, thresholdBin: number): number {
  if (spec.kind === 'categorical') return thresholdBin + 0.5;
  return thresholdBin < spec.edges.length ? spec.edges[thresholdBin]! : Number.POSITIVE_INFINITY;
}

interface EnsembleArrays {
  readonly nodes: {
    treeIds: number[];
    nodeIds: number[];
    featureIds: number[];
    values: number[];
    trueIds: number[];
    falseIds: number[];
    missingTrue: number[];
    modes: string[];
  };
  readonly leaves: { treeIds: number[]; nodeIds: number[]; outputIds: number[]; weights: number[] };
}

function ensembleArrays(model: GbdtModel): EnsembleArrays {
  const nodes: EnsembleArrays['nodes'] = {
    treeIds: [],
    nodeIds: [],
    featureIds: [],
    values: [],
    trueIds: [],
    falseIds: [],
    missingTrue: [],
    modes: [],
  };
  const leaves = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    outputIds: [] as number[],
    weights: [] as number[],
  };
  let treeId = 0;
  for (const iteration of model.trees) {
    iteration.forEach((tree: RegressionTree, output) => {
      for (let node = 0; node < tree.feature.length; node++) {
        const f = tree.feature[node]!;
        nodes.treeIds.push(treeId);
        nodes.nodeIds.push(node);
        if (f < 0) {
          nodes.featureIds.push(0);
          nodes.values.push(0);
          nodes.trueIds.push(0);
          nodes.falseIds.push(0);
          nodes.missingTrue.push(0);
          nodes.modes.push('LEAF');
          leaves.treeIds.push(treeId);
          leaves.nodeIds.push(node);
          leaves.outputIds.push(output);
          leaves.weights.push(tree.value[node]!);
        } else {
          nodes.featureIds.push(f);
          nodes.values.push(splitThreshold(model.binning[f]!, tree.thresholdBin[node]!));
          nodes.trueIds.push(tree.left[node]!);
          nodes.falseIds.push(tree.right[node]!);
          nodes.missingTrue.push(tree.missingLeft[node]!);
          nodes.modes.push('BRANCH_LEQ');
        }
      }
      treeId++;
    });
  }
  return { nodes, leaves };
}

function tensorType(elemType: number, dims: (number | string)[]) {
  return {
    tensorType: {
      elemType,
      shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
    },
  };
}

export function gbdtToOnnx(model: GbdtModel): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const STRING = onnx.TensorProto.DataType.STRING;
  const nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  const concatInputs: string[] = [];
  model.binning.forEach((spec, f) => {
    if (spec.kind === 'numeric') {
      concatInputs.push(spec.name);
      return;
    }
    const codes = `slipway_gbdt/code_${f}`;
    nodes.push(
      onnx.NodeProto.create({
        opType: 'LabelEncoder',
        domain: ML_DOMAIN,
        name: `encode_${f}`,
        input: [spec.name],
        output: [codes],
        attribute: [
          attribute.strings('keys_strings', spec.categories.length > 0 ? spec.categories : ['']),
          attribute.floats(
            'values_floats',
            spec.categories.length > 0 ? spec.categories.map((_, c) => c) : [Number.NaN],
          ),
          attribute.float('default_float', Number.NaN),
        ],
      }),
    );
    concatInputs.push(codes);
  });
  nodes.push(
    onnx.NodeProto.create({
      opType: 'Concat',
      name: 'concat',
      input: concatInputs,
      output: [FEATURES],
      attribute: [attribute.int('axis', 1)],
    }),
  );
  const { nodes: n, leaves } = ensembleArrays(model);
  const treeAttributes = [
    attribute.ints('nodes_treeids', n.treeIds),
    attribute.ints('nodes_nodeids', n.nodeIds),
    attribute.ints('nodes_featureids', n.featureIds),
    attribute.floats('nodes_values', n.values),
    attribute.strings('nodes_modes', n.modes),
    attribute.ints('nodes_truenodeids', n.trueIds),
    attribute.ints('nodes_falsenodeids', n.falseIds),
    attribute.ints('nodes_missing_value_tracks_true', n.missingTrue),
    attribute.floats('base_values', [...model.baseScores]),
  ];
  const outputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  if (model.kind === 'regression') {
    nodes.push(
      onnx.NodeProto.create({
        opType: 'TreeEnsembleRegressor',
        domain: ML_DOMAIN,
        name: 'trees',
        input: [FEATURES],
        output: [GBDT_ONNX_OUTPUTS.value],
        attribute: [
          ...treeAttributes,
          attribute.ints('target_treeids', leaves.treeIds),
          attribute.ints('target_nodeids', leaves.nodeIds),
          attribute.ints('target_ids', leaves.outputIds),
          attribute.floats('target_weights', leaves.weights),
          attribute.int('n_targets', 1),
          attribute.string('aggregate_function', 'SUM'),
          attribute.string('post_transform', 'NONE'),
        ],
      }),
    );
    outputs.push(
      onnx.ValueInfoProto.create({ name: GBDT_ONNX_OUTPUTS.value, type: tensorType(FLOAT, ['N', 1]) }),
    );
  } else {
    nodes.push(
      onnx.NodeProto.create({
        opType: 'TreeEnsembleClassifier',
        domain: ML_DOMAIN,
        name: 'trees',
        input: [FEATURES],
        output: [GBDT_ONNX_OUTPUTS.label, GBDT_ONNX_OUTPUTS.probabilities],
        attribute: [
          ...treeAttributes,
          attribute.ints('class_treeids', leaves.treeIds),
          attribute.ints('class_nodeids', leaves.nodeIds),
          attribute.ints('class_ids', leaves.outputIds),
          attribute.floats('class_weights', leaves.weights),
          attribute.strings('classlabels_strings', model.classes),
          attribute.string('post_transform', model.kind === 'binary' ? 'LOGISTIC' : 'SOFTMAX'),
        ],
      }),
    );
    outputs.push(
      onnx.ValueInfoProto.create({ name: GBDT_ONNX_OUTPUTS.label, type: tensorType(STRING, ['N']) }),
      onnx.ValueInfoProto.create({
        name: GBDT_ONNX_OUTPUTS.probabilities,
        type: tensorType(FLOAT, ['N', model.classes.length]),
      }),
    );
  }
  const graph = onnx.GraphProto.create({
    name: `gbdt_${model.kind}`,
    node: nodes,
    input: model.binning.map((spec) =>
      onnx.ValueInfoProto.create({
        name: spec.name,
        type: tensorType(spec.kind === 'numeric' ? FLOAT : STRING, ['N', 1]),
      }),
    ),
    output: outputs,
  });
  const modelProto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'slipway-gbdt',
    opsetImport: [
      { domain: '', version: 13 },
      { domain: ML_DOMAIN, version: 3 },
    ],
    graph,
  });
  return onnx.ModelProto.encode(modelProto).finish();
}

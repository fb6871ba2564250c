/**
 * How a model's graph inputs are filled from row-oriented instances, worked out once per model: one
 * column per input, the instance key it reads, its element type and its per-row width. Models with
 * feature metadata (Slipway-trained) map one feature to one [N, 1] / [N] input; models without it
 * map input names to keys, each input [N], [N, 1] or [N, K] with K fixed. Anything else cannot be
 * fed by rows and is an InvalidError pointing at the V2 protocol.
 */
import { InvalidError } from '../../core/errors.js';
import type { ModelFeature, ModelSignature, TensorSpec } from '../../registry/index.js';
import { formatShape } from './tensor-values.js';

export interface PredictModel {
  readonly signature: ModelSignature;
  readonly features?: readonly ModelFeature[];
  readonly classes?: readonly string[];
}

/** One graph input and where its values come from. */
export interface Column {
  /** The graph input, which is also the instance key. */
  readonly name: string;
  readonly elementType: string;
  /** Values per row: 1 for [N] / [N, 1] inputs (a scalar per row), K for [N, K] (an array per row). */
  readonly width: number;
  /** Rank of the tensor to build: 1 gives [rows], 2 gives [rows, width]. */
  readonly rank: 1 | 2;
  /** A fixed batch dimension the graph demands, or -1 for any. */
  readonly fixedRows: number;
  /** 'feature' or 'input', for messages. */
  readonly role: 'feature' | 'input';
  /** The key is also an Object.prototype member, so reads must check own properties. */
  readonly guarded: boolean;
}

export interface Plan {
  readonly columns: readonly Column[];
  /** Every key an instance may carry (features the graph does not take are accepted and unused). */
  readonly known: ReadonlySet<string>;
  readonly role: 'feature' | 'input';
  /** A single-input model without feature metadata: an instance may be that input's bare value. */
  readonly bare: Column | undefined;
}

const NUMERIC_TYPES = new Set([
  'float32',
  'float64',
  'float16',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
]);
const ROW_TYPES = new Set([...NUMERIC_TYPES, 'string', 'bool']);

const plans = new WeakMap<PredictModel, Plan>();

/** The model's plan, cached per model object (pass the same ModelVersion to reuse it). */
export function planFor(model: PredictModel): Plan {
  let plan = plans.get(model);
  if (plan === undefined) {
    plan =
      model.features !== undefined && model.features.length > 0
        ? featurePlan(model.signature, model.features)
        : inputPlan(model.signature);
    plans.set(model, plan);
  }
  return plan;
}

function featurePlan(signature: ModelSignature, features: readonly ModelFeature[]): Plan {
  const byName = new Map(features.map((feature) => [feature.name, feature]));
  const columns = signature.inputs.map((spec): Column => {
    const feature = byName.get(spec.name);
    if (feature === undefined) {
      throw unsupported(`its input '${spec.name}' is not one of its features`);
    }
    if (spec.kind !== 'tensor') throw unsupported(`its input '${spec.name}' is a ${spec.kind}`);
    const wanted = feature.type === 'categorical' ? 'a string' : 'a numeric';
    const fits =
      feature.type === 'categorical' ? spec.elementType === 'string' : NUMERIC_TYPES.has(spec.elementType);
    if (!fits) {
      throw unsupported(
        `its ${feature.type} feature '${spec.name}' needs ${wanted} input, the graph's is ${spec.elementType}`,
      );
    }
    const shape = spec.shape;
    // Slipway's exported graphs take [N, 1]; a graph whose shape is unknown gets the same.
    if (shape === null || shape === undefined) return column(spec, 1, 2, -1, 'feature');
    if (shape.length === 1) return column(spec, 1, 1, fixedRows(shape), 'feature');
    // A symbolic second dimension takes 1 as well.
    if (shape.length === 2 && (shape[1] === 1 || !isFixed(shape[1], 0))) {
      return column(spec, 1, 2, fixedRows(shape), 'feature');
    }
    throw unsupported(`its feature '${spec.name}' has shape ${formatShape(shape)}, not [N, 1] or [N]`);
  });
  const known = new Set([...features.map((feature) => feature.name), ...columns.map((c) => c.name)]);
  return { columns, known, role: 'feature', bare: undefined };
}

function inputPlan(signature: ModelSignature): Plan {
  const columns = signature.inputs.map((spec): Column => {
    if (spec.kind !== 'tensor') throw unsupported(`its input '${spec.name}' is a ${spec.kind}`);
    if (!ROW_TYPES.has(spec.elementType)) {
      throw unsupported(`its input '${spec.name}' has element type ${spec.elementType}`);
    }
    const shape = spec.shape;
    if (shape === null || shape === undefined) {
      throw unsupported(`the shape of its input '${spec.name}' is unknown`);
    }
    if (shape.length === 1) return column(spec, 1, 1, fixedRows(shape), 'input');
    if (shape.length === 2 && isFixed(shape[1], 1)) {
      return column(spec, shape[1] as number, 2, fixedRows(shape), 'input');
    }
    throw unsupported(
      `its input '${spec.name}' has shape ${formatShape(shape)}, not [N], [N, 1] or [N, K] with K fixed`,
    );
  });
  const known = new Set(columns.map((c) => c.name));
  return { columns, known, role: 'input', bare: columns.length === 1 ? columns[0] : undefined };
}

function column(spec: TensorSpec, width: number, rank: number, rows: number, role: Column['role']): Column {
  return {
    name: spec.name,
    elementType: spec.elementType,
    width,
    rank: rank === 1 ? 1 : 2,
    fixedRows: rows,
    role,
    guarded: spec.name in Object.prototype,
  };
}

function isFixed(dim: unknown, min: number): boolean {
  return typeof dim === 'number' && Number.isSafeInteger(dim) && dim >= min;
}

function fixedRows(shape: readonly (number | string | null)[]): number {
  return isFixed(shape[0], 0) ? (shape[0] as number) : -1;
}

function unsupported(reason: string): InvalidError {
  return new InvalidError(
    `this model cannot be called with rows (${reason}); send a V2 request to /v2/models/{name}/infer instead`,
    { field: 'instances' },
  );
}

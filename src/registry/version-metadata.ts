/**
 * What a version is registered with besides its file (run, datasets, metrics, description, feature
 * names, tags): the public input types, and the checks that turn them into validated metadata before
 * any byte is stored.
 */
import { InvalidError } from '../core/errors.js';
import { parseReference, type Reference } from '../core/references.js';
import type { CardFields } from './card.js';
import { checkCardFields } from './card-service.js';
import type { DatasetRole, ModelFeature, ModelSignature } from './entities.js';
import {
  checkClasses,
  checkFeatureNames,
  checkFeatures,
  checkMetrics,
  checkText,
  mergeTags,
} from './validation.js';

export interface DatasetReferenceInput {
  /** `train@3`, or a bare name for its latest version. */
  readonly ref: string;
  readonly role: DatasetRole;
}

export interface RegisterInput {
  /** The run that produced the model (default: the source's run). */
  readonly run?: string;
  readonly datasets?: readonly DatasetReferenceInput[];
  readonly metrics?: Readonly<Record<string, number>>;
  readonly description?: string;
  readonly featureNames?: readonly string[];
  /** Names, types and categories of the features; implies featureNames. */
  readonly features?: readonly ModelFeature[];
  readonly classes?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  /** The card's hand-written part, for a producer that documents what it registers (AutoML). */
  readonly card?: CardFields;
}

export interface RegisterFromSourceInput extends RegisterInput {
  /** `runs/<runId>/artifacts/<path>` */
  readonly source: string;
}

/** Registration metadata after its checks: dataset references parsed, tags and metrics validated. */
export interface Metadata {
  readonly run?: string;
  readonly datasets: readonly {
    readonly ref: Reference;
    readonly role: DatasetRole;
    readonly field: string;
  }[];
  readonly metrics: Record<string, number>;
  readonly description: string;
  readonly featureNames?: readonly string[];
  readonly features?: readonly ModelFeature[];
  readonly classes?: readonly string[];
  readonly tags: Record<string, string>;
  readonly card?: CardFields;
}

export function checkMetadata(input: RegisterInput): Metadata {
  const datasets = (input.datasets ?? []).map((entry, index) => {
    const field = `datasets[${index}].ref`;
    if (entry.role !== 'train' && entry.role !== 'validation') {
      throw new InvalidError(
        `datasets[${index}].role must be 'train' or 'validation', got '${String(entry.role)}'`,
        {
          field: `datasets[${index}].role`,
          value: entry.role,
        },
      );
    }
    return { ref: parseReference(field, entry.ref, { defaultAlias: 'latest' }), role: entry.role, field };
  });
  const run = input.run?.trim();
  return {
    ...(run === undefined || run === '' ? {} : { run }),
    datasets,
    metrics: checkMetrics(input.metrics ?? {}),
    description: checkText('description', input.description ?? ''),
    ...featureFields(input),
    ...(input.classes === undefined ? {} : { classes: checkClasses(input.classes) }),
    tags: mergeTags({}, input.tags ?? {}),
    ...(input.card === undefined ? {} : { card: checkCardFields(input.card) }),
  };
}

/** Features given with types imply their names; names given as well must agree with them. */
function featureFields(input: RegisterInput): Pick<Metadata, 'featureNames' | 'features'> {
  if (input.features === undefined) {
    return input.featureNames === undefined ? {} : { featureNames: checkFeatureNames(input.featureNames) };
  }
  const features = checkFeatures(input.features);
  const names = features.map((feature) => feature.name);
  if (input.featureNames !== undefined && input.featureNames.join('\u0000') !== names.join('\u0000')) {
    throw new InvalidError('featureNames must list the names of features, in the same order', {
      field: 'featureNames',
    });
  }
  return { featureNames: names, features };
}

/**
 * Feature names must fit the graph: names that are input names (a model with one input per feature)
 * must name exactly its inputs; otherwise a tabular model (one [N, F] input with F known) names
 * exactly F features.
 */
export function checkFeatureCount(
  featureNames: readonly string[] | undefined,
  signature: ModelSignature,
): void {
  if (featureNames === undefined) return;
  const inputNames = new Set(signature.inputs.map((input) => input.name));
  if (featureNames.some((name) => inputNames.has(name))) {
    const missing = signature.inputs.find((input) => !featureNames.includes(input.name));
    const extra = featureNames.find((name) => !inputNames.has(name));
    if (missing !== undefined || extra !== undefined) {
      throw new InvalidError(
        missing !== undefined
          ? `featureNames does not name the model's input '${missing.name}'`
          : `featureNames names '${extra}', which is not an input of the model`,
        { field: 'featureNames', value: missing?.name ?? extra },
      );
    }
    return;
  }
  const input = signature.inputs[0]!;
  const width = input.shape?.length === 2 ? input.shape[1] : undefined;
  if (typeof width === 'number' && width !== featureNames.length) {
    throw new InvalidError(
      `featureNames has ${featureNames.length} names but input '${input.name}' has ${width} columns`,
      { field: 'featureNames', count: featureNames.length, columns: width },
    );
  }
}

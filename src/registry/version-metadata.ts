/**
 * What a version is registered with besides its file (run, datasets, metrics, description, feature
 * names, tags): the public input types, and the checks that turn them into validated metadata before
 * any byte is stored.
 */
import { InvalidError } from '../core/errors.js';
import { parseReference, type Reference } from '../core/references.js';
import type { DatasetRole, ModelSignature } from './entities.js';
import { checkFeatureNames, checkMetrics, checkText, mergeTags } from './validation.js';

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
  readonly tags?: Readonly<Record<string, string>>;
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
  readonly tags: Record<string, string>;
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
    ...(input.featureNames === undefined ? {} : { featureNames: checkFeatureNames(input.featureNames) }),
    tags: mergeTags({}, input.tags ?? {}),
  };
}

/** A tabular model (one [N, F] input with F known) must name exactly F features. */
export function checkFeatureCount(
  featureNames: readonly string[] | undefined,
  signature: ModelSignature,
): void {
  if (featureNames === undefined || signature.inputs.length !== 1) return;
  const input = signature.inputs[0]!;
  const width = input.shape?.length === 2 ? input.shape[1] : undefined;
  if (typeof width === 'number' && width !== featureNames.length) {
    throw new InvalidError(
      `featureNames has ${featureNames.length} names but input '${input.name}' has ${width} columns`,
      { field: 'featureNames', count: featureNames.length, columns: width },
    );
  }
}

/**
 * Reading a version upload's query string: metadata travels as query parameters next to a raw ONNX
 * body (`metric=auc=0.91`, `tag=team=risk`, `featureNames=a,b`, `features` and `classes` as JSON),
 * and a JSON body must not carry any.
 */
import { z } from 'zod';
import { InvalidError } from '../../core/errors.js';
import type { ModelFeature, RegisterInput } from '../../registry/index.js';
import { FeatureSchema } from '../../registry/schema.js';

export type UploadQuery = {
  readonly run?: string | undefined;
  readonly dataset: readonly string[];
  readonly validationDataset: readonly string[];
  readonly metric: readonly string[];
  readonly featureNames?: string | undefined;
  readonly features?: string | undefined;
  readonly classes?: string | undefined;
  readonly description?: string | undefined;
  readonly tag: readonly string[];
};

export function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([\w.+-]*\+)?json\b/i.test(contentType.trim());
}

export function hasUploadMetadata(query: UploadQuery): boolean {
  return (
    query.run !== undefined ||
    query.featureNames !== undefined ||
    query.features !== undefined ||
    query.classes !== undefined ||
    query.description !== undefined ||
    query.dataset.length + query.validationDataset.length + query.metric.length + query.tag.length > 0
  );
}

export function uploadInput(query: UploadQuery): RegisterInput {
  const metrics: Record<string, number> = {};
  for (const [key, value] of pairs('metric', query.metric)) {
    const number = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(number)) {
      throw new InvalidError(`metric '${key}' must be a finite number, got '${value}'`, {
        field: 'metric',
        value,
      });
    }
    metrics[key] = number;
  }
  return {
    ...(query.run === undefined ? {} : { run: query.run }),
    datasets: [
      ...query.dataset.map((ref) => ({ ref, role: 'train' as const })),
      ...query.validationDataset.map((ref) => ({ ref, role: 'validation' as const })),
    ],
    metrics,
    ...(query.description === undefined ? {} : { description: query.description }),
    ...(query.featureNames === undefined
      ? {}
      : { featureNames: query.featureNames.split(',').map((name) => name.trim()) }),
    ...(query.features === undefined
      ? {}
      : { features: jsonParam('features', query.features, z.array(FeatureSchema)) as ModelFeature[] }),
    ...(query.classes === undefined
      ? {}
      : { classes: jsonParam('classes', query.classes, z.array(z.string())) }),
    tags: Object.fromEntries(pairs('tag', query.tag)),
  };
}

/** A query parameter carrying JSON, checked against `schema`; a 400 naming it otherwise. */
function jsonParam<T>(field: string, text: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidError(`${field} must be JSON, got '${text.slice(0, 80)}'`, { field });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = (issue?.path ?? [])
      .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
      .join('');
    throw new InvalidError(`${field}${at}: ${issue?.message ?? 'invalid'}`, { field: `${field}${at}` });
  }
  return parsed.data;
}

function pairs(field: string, values: readonly string[]): [string, string][] {
  return values.map((text) => {
    const eq = text.indexOf('=');
    if (eq <= 0)
      throw new InvalidError(`${field} must be 'name=value', got '${text}'`, { field, value: text });
    return [text.slice(0, eq), text.slice(eq + 1)];
  });
}

/**
 * Reading a version upload's query string: metadata travels as query parameters next to a raw ONNX
 * body (`metric=auc=0.91`, `tag=team=risk`, `featureNames=a,b`), and a JSON body must not carry any.
 */
import { InvalidError } from '../../core/errors.js';
import type { RegisterInput } from '../../registry/index.js';

export type UploadQuery = {
  readonly run?: string | undefined;
  readonly dataset: readonly string[];
  readonly validationDataset: readonly string[];
  readonly metric: readonly string[];
  readonly featureNames?: string | undefined;
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
    tags: Object.fromEntries(pairs('tag', query.tag)),
  };
}

function pairs(field: string, values: readonly string[]): [string, string][] {
  return values.map((text) => {
    const eq = text.indexOf('=');
    if (eq <= 0)
      throw new InvalidError(`${field} must be 'name=value', got '${text}'`, { field, value: text });
    return [text.slice(0, eq), text.slice(eq + 1)];
  });
}

import type { JsonValue } from '../definition/index.js';

/** JSON has no NaN (a metric undefined on the holdout rows, such as AUC with one class): null says so. */
export function finiteOrNull(metrics: Readonly<Record<string, number>>): { [key: string]: JsonValue } {
  return Object.fromEntries(
    Object.entries(metrics).map(([key, value]) => [key, Number.isFinite(value) ? value : null]),
  );
}

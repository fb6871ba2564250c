/**
 * Whether a shadow's answer differs from the primary's: on classifiers the labels, otherwise every
 * output both have, numbers within a relative 1e-6 (a shadow is often a re-export or a retrain of
 * the same model, where bit-identical floats are not expected).
 */
import type * as ort from 'onnxruntime-node';

const TOLERANCE = 1e-6;

export function answersDiffer(
  primary: Readonly<Record<string, ort.Tensor>>,
  shadow: Readonly<Record<string, ort.Tensor>>,
): boolean {
  const names =
    'label' in primary && 'label' in shadow
      ? ['label']
      : Object.keys(primary).filter((name) => name in shadow);
  for (const name of names) {
    const a = primary[name]!.data;
    const b = shadow[name]!.data;
    if (a.length !== b.length) return true;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (typeof x === 'number' && typeof y === 'number') {
        if (
          Math.abs(x - y) > TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y)) &&
          !(Number.isNaN(x) && Number.isNaN(y))
        )
          return true;
      } else if (x !== y) return true;
    }
  }
  return false;
}

/** onnxruntime inputs for a Table, as exported models take them: one [N, 1] tensor per feature. */
import * as ort from 'onnxruntime-node';
import type { Table } from '../../src/training/table.js';

export function onnxFeeds(table: Table): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const feature of table.features) {
    out[feature.name] =
      feature.kind === 'numeric'
        ? new ort.Tensor('float32', Float32Array.from(feature.values), [table.rows, 1])
        : // A string tensor cannot hold null: the exported graphs read '' as missing.
          new ort.Tensor(
            'string',
            feature.values.map((value) => value ?? ''),
            [table.rows, 1],
          );
  }
  return out;
}

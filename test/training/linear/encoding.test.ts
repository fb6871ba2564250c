/** The linear encoding: standardisation, mean imputation, one-hot with missing/unseen → zeros. */
import { describe, expect, it } from 'vitest';
import { encodeTable, fitLinearEncoding } from '../../../src/training/linear/index.js';
import type { Table } from '../../../src/training/table.js';

const training: Table = {
  rows: 4,
  features: [
    { kind: 'categorical', name: 'colour', values: ['red', 'blue', null, 'red'] },
    { kind: 'numeric', name: 'size', values: Float64Array.from([1, 3, Number.NaN, 5]) },
    { kind: 'numeric', name: 'constant', values: Float64Array.from([7, 7, 7, 7]) },
    { kind: 'categorical', name: 'shape', values: ['', 'square', 'circle', 'square'] },
  ],
};

describe('linear encoding', () => {
  it('learns means, standard deviations and sorted categories from the training rows', () => {
    const encoding = fitLinearEncoding(training);
    expect(encoding.numeric.map((spec) => spec.name)).toEqual(['size', 'constant']);
    expect(encoding.numeric[0]!.mean).toBe(3);
    expect(encoding.numeric[0]!.std).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(encoding.numeric[1]).toMatchObject({ mean: 7, std: 1 });
    expect(encoding.categorical.map((spec) => spec.categories)).toEqual([
      ['blue', 'red'],
      ['circle', 'square'],
    ]);
    expect(encoding.width).toBe(6);
  });

  it('encodes numeric first, missing as the mean (0) and missing/unseen categories as zeros', () => {
    const encoding = fitLinearEncoding(training);
    const scoring: Table = {
      rows: 3,
      features: [
        { kind: 'numeric', name: 'constant', values: Float64Array.from([7, 8, Number.NaN]) },
        {
          kind: 'numeric',
          name: 'size',
          values: Float64Array.from([3, Number.NaN, 3 + encoding.numeric[0]!.std]),
        },
        { kind: 'categorical', name: 'shape', values: ['circle', 'triangle', ''] },
        { kind: 'categorical', name: 'colour', values: ['red', null, 'green'] },
      ],
    };
    const encoded = Array.from(encodeTable(encoding, scoring), (value) => Math.round(value * 1e12) / 1e12);
    expect(encoded).toEqual([0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('rejects a table that lacks a trained feature', () => {
    const encoding = fitLinearEncoding(training);
    expect(() => encodeTable(encoding, { rows: 0, features: [] })).toThrow(/size/);
  });
});

/** Quantisation of numeric and categorical features into at most 255 bins. */
import { describe, expect, it } from 'vitest';
import { binTable, fitBinning, MAX_VALUE_BINS, numericBin } from '../../../src/training/gbdt/binning.js';
import { seededRandom } from '../../../src/training/random.js';
import type { Table } from '../../../src/training/table.js';

function numericTable(values: Float64Array): Table {
  return { rows: values.length, features: [{ kind: 'numeric', name: 'x', values }] };
}

describe('numeric binning', () => {
  const random = seededRandom(3);
  const values = Float64Array.from({ length: 20_000 }, (_, i) =>
    i % 50 === 0 ? Number.NaN : random() * 1000 - 500,
  );
  const [spec] = fitBinning(numericTable(values));

  it('uses at most 254 value bins with strictly increasing float32 edges', () => {
    if (spec?.kind !== 'numeric') throw new Error('expected a numeric binning');
    expect(spec.valueBins).toBeLessThanOrEqual(MAX_VALUE_BINS);
    expect(spec.valueBins).toBeGreaterThan(200);
    for (let i = 0; i < spec.edges.length; i++) {
      expect(Math.fround(spec.edges[i]!)).toBe(spec.edges[i]);
      if (i > 0) expect(spec.edges[i]!).toBeGreaterThan(spec.edges[i - 1]!);
    }
  });

  it('puts missing values in their own bin and agrees with float32 edge comparisons', () => {
    if (spec?.kind !== 'numeric') throw new Error('expected a numeric binning');
    const binned = binTable(numericTable(values), [spec]);
    for (let r = 0; r < values.length; r++) {
      const bin = binned.bins[r]!;
      if (Number.isNaN(values[r]!)) {
        expect(bin).toBe(spec.valueBins);
        continue;
      }
      const x = Math.fround(values[r]!);
      if (bin > 0) expect(x).toBeGreaterThan(spec.edges[bin - 1]!);
      if (bin < spec.edges.length) expect(x).toBeLessThanOrEqual(spec.edges[bin]!);
    }
    for (const edge of spec.edges) expect(numericBin(spec.edges, edge)).toBe(spec.edges.indexOf(edge));
  });

  it('gives every distinct value its own bin when there are few', () => {
    const few = Float64Array.from({ length: 1000 }, (_, i) => [0.1, 0.2, 0.30000001, 7][i % 4]!);
    const [binning] = fitBinning(numericTable(few));
    expect(binning?.valueBins).toBe(4);
    const bins = binTable(numericTable(few), [binning!]).bins;
    expect(Array.from(bins.subarray(0, 4))).toEqual([0, 1, 2, 3]);
  });
});

describe('categorical binning', () => {
  const table: Table = {
    rows: 6,
    features: [{ kind: 'categorical', name: 'c', values: ['pear', 'apple', null, 'fig', 'apple', ''] }],
  };

  it('codes training categories lexicographically; null, empty and unseen go to the missing bin', () => {
    const binning = fitBinning(table);
    expect(binning[0]).toMatchObject({ categories: ['apple', 'fig', 'pear'], valueBins: 3 });
    const test: Table = {
      rows: 5,
      features: [{ kind: 'categorical', name: 'c', values: ['fig', 'kiwi', null, '', 'apple'] }],
    };
    expect(Array.from(binTable(test, binning).bins)).toEqual([1, 3, 3, 3, 0]);
  });
});

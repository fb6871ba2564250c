/**
 * The metric route checks plain batches with isPlainLogMetricsBody instead of the zod parse. It must
 * accept exactly the bodies LogMetricsBody accepts (JSON-parsed, as the route sees them) and hand on
 * an equal value; everything else goes to the zod parse, whose error messages are unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainLogMetricsBody, LogMetricsBody } from '../../src/tracking/schema.js';

const anyValue = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', 'nan', 'inf'),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 60, 1.5, -0, 0),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
const goodValue = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom('NaN', 'Infinity', '-Infinity'),
);
const goodInt = fc.oneof(fc.integer(), fc.constantFrom(0, 2 ** 53 - 1, -(2 ** 53 - 1)));

const point = fc.record(
  {
    key: fc.oneof(fc.string({ maxLength: 6 }), anyValue),
    value: fc.oneof(goodValue, anyValue),
    step: fc.oneof(goodInt, anyValue),
    timestamp: fc.oneof(goodInt, anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);
const goodPoint = fc.record(
  { key: fc.string({ maxLength: 6 }), value: goodValue, step: goodInt, timestamp: goodInt },
  { requiredKeys: ['key', 'value'] },
);
const goodSeries = fc.integer({ min: 0, max: 4 }).chain((length) =>
  fc.record(
    {
      key: fc.string({ maxLength: 6 }),
      values: fc.array(goodValue, { minLength: length, maxLength: length }),
      steps: fc.array(goodInt, { minLength: length, maxLength: length }),
      timestamps: fc.array(goodInt, { minLength: length, maxLength: length }),
    },
    { requiredKeys: ['key', 'values'] },
  ),
);
const series = fc.record(
  {
    key: fc.oneof(fc.string({ maxLength: 6 }), anyValue),
    values: fc.oneof(fc.array(fc.oneof(goodValue, anyValue), { maxLength: 4 }), anyValue),
    steps: fc.oneof(fc.array(fc.oneof(goodInt, anyValue), { maxLength: 4 }), anyValue),
    timestamps: fc.oneof(fc.array(goodInt, { maxLength: 4 }), anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.record({ metrics: fc.array(fc.oneof(goodPoint, goodPoint, point, anyValue), { maxLength: 6 }) }),
  fc.record({ series: fc.array(fc.oneof(goodSeries, goodSeries, series, anyValue), { maxLength: 4 }) }),
  fc.record(
    {
      metrics: fc.array(fc.oneof(goodPoint, point), { maxLength: 3 }),
      series: fc.array(fc.oneof(goodSeries, series), { maxLength: 3 }),
      other: anyValue,
    },
    { requiredKeys: [] },
  ),
  fc.record({ metrics: fc.oneof(fc.array(goodPoint), anyValue), other: anyValue }, { requiredKeys: [] }),
  fc.array(goodPoint, { maxLength: 2 }),
  anyValue,
);

describe('isPlainLogMetricsBody', () => {
  it('accepts exactly what the zod schema accepts, and the value zod would return', () => {
    fc.assert(
      fc.property(body, (generated) => {
        // The route sees JSON.parse output: no undefined, NaN or Infinity, plain prototypes.
        const input: unknown = JSON.parse(JSON.stringify(generated) ?? 'null');
        const zod = LogMetricsBody.safeParse(input);
        expect(isPlainLogMetricsBody(input)).toBe(zod.success);
        if (zod.success) expect(input).toEqual(zod.data);
      }),
      { numRuns: 5_000 },
    );
  });

  it('accepts a large valid batch and rejects one bad point anywhere in it', () => {
    const metrics = Array.from({ length: 10_000 }, (_, step) => ({ key: 'loss', value: step / 3, step }));
    expect(isPlainLogMetricsBody({ metrics })).toBe(true);
    for (const bad of [{ value: '1' }, { step: 0.5 }, { timestamp: null }, { key: 1 }, { unit: 'ms' }]) {
      const spoiled = metrics.map((p, i) => (i === 7_777 ? { ...p, ...bad } : p));
      expect(isPlainLogMetricsBody({ metrics: spoiled })).toBe(false);
    }
  });

  it('rejects objects that are not plain JSON objects', () => {
    class Point {
      key = 'k';
      value = 1;
    }
    expect(isPlainLogMetricsBody({ metrics: [new Point()] })).toBe(false);
    expect(isPlainLogMetricsBody(Object.create({ metrics: [] }))).toBe(false);
  });
});

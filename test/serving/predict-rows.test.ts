/**
 * The row-oriented predict codec against real onnxruntime-node sessions: a GBDT classifier and
 * regressor trained here (one numeric, one categorical feature) answer rows with missing values,
 * missing keys and unseen categories exactly like the TypeScript model; models without feature
 * metadata take rows keyed by input name or bare arrays; every bad request is a 400 naming the row
 * and the field.
 */
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelSignature, TensorSpec } from '../../src/registry/index.js';
import { readOnnxSignature } from '../../src/registry/index.js';
import {
  decodeInstances,
  encodePredictions,
  type PredictModel,
} from '../../src/serving/protocols/predict-rows.js';
import { describeFeatures } from '../../src/training/automl/evaluation.js';
import type { GbdtModel } from '../../src/training/gbdt/index.js';
import {
  gbdtToOnnx,
  predictLabels,
  predictProbabilities,
  predictValues,
  trainGbdt,
} from '../../src/training/gbdt/index.js';
import { seededRandom } from '../../src/training/random.js';
import type { Table } from '../../src/training/table.js';
import { identityModel, mlpModel, twoInputModel } from '../support/onnx-models.js';
import { invalid } from './invalid.js';

const PLANS = ['basic', 'pro', 'team'];

/** Churn-like data: `tenure` (numeric, some missing) and `plan` (categorical, some missing). */
function churnData(rows: number, seed: number) {
  const random = seededRandom(seed);
  const tenure = new Float64Array(rows);
  const plan: (string | null)[] = [];
  const labels = new Int32Array(rows);
  const spend = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    tenure[r] = random() < 0.1 ? Number.NaN : Math.floor(random() * 72);
    const p = Math.floor(random() * PLANS.length);
    plan.push(random() < 0.1 ? null : PLANS[p]!);
    const t = Number.isNaN(tenure[r]!) ? 30 : tenure[r]!;
    const risk = (24 - t) / 12 + (p === 0 ? 1 : p === 2 ? -1 : 0) + (random() - 0.5) * 2;
    labels[r] = risk > 0.5 ? 1 : 0;
    spend[r] = 20 + 10 * p + t * 0.5 + random() * 5;
  }
  const table: Table = {
    rows,
    features: [
      { kind: 'numeric', name: 'tenure', values: tenure },
      { kind: 'categorical', name: 'plan', values: plan },
    ],
  };
  return { table, labels, spend };
}

interface Trained {
  readonly gbdt: GbdtModel;
  readonly session: ort.InferenceSession;
  readonly model: PredictModel;
}

async function deploy(gbdt: GbdtModel, table: Table): Promise<Trained> {
  const bytes = gbdtToOnnx(gbdt);
  const model: PredictModel = {
    signature: readOnnxSignature(bytes),
    // As the AutoML runner registers a version: features from the training table, the classes.
    features: describeFeatures(table),
    ...(gbdt.kind === 'regression' ? {} : { classes: gbdt.classes }),
  };
  return { gbdt, session: await ort.InferenceSession.create(bytes), model };
}

async function predict(trained: Trained, instances: unknown) {
  const { feeds, rows } = decodeInstances(instances, trained.model);
  return encodePredictions(await trained.session.run(feeds), rows, trained.model);
}

/** Instances with numbers, nulls, missing keys, unseen categories and numbers as categories. */
const INSTANCES: readonly Record<string, unknown>[] = [
  { tenure: 3, plan: 'basic' },
  { tenure: 60, plan: 'team' },
  { tenure: 12.5, plan: 'pro' },
  { tenure: null, plan: 'basic' },
  { plan: 'team' },
  { tenure: 2 },
  { tenure: 5, plan: null },
  { tenure: 40, plan: '' },
  { tenure: 1, plan: 'enterprise' },
  { tenure: 70, plan: 94107 },
  {},
];

/** The same rows as the TS model sees them: NaN and null for missing, unseen categories as given. */
const TABLE: Table = {
  rows: INSTANCES.length,
  features: [
    {
      kind: 'numeric',
      name: 'tenure',
      values: Float64Array.from(INSTANCES, (row) =>
        typeof row.tenure === 'number' ? row.tenure : Number.NaN,
      ),
    },
    {
      kind: 'categorical',
      name: 'plan',
      values: INSTANCES.map((row) =>
        row.plan === undefined || row.plan === null || row.plan === '' ? null : String(row.plan),
      ),
    },
  ],
};

describe('predict rows: Slipway-trained models', () => {
  let classifier: Trained;
  let regressor: Trained;
  beforeAll(async () => {
    const { table, labels, spend } = churnData(1500, 11);
    const options = { iterations: 30, maxLeaves: 8, minSamplesLeaf: 10, seed: 3 };
    classifier = await deploy(
      trainGbdt(table, { kind: 'classification', classes: ['stay', 'churn'], labels }, options),
      table,
    );
    regressor = await deploy(trainGbdt(table, { kind: 'regression', values: spend }, options), table);
  });

  it('reads the registered metadata the way the registry stores it', () => {
    expect(classifier.model.features).toEqual([
      { name: 'tenure', type: 'numeric' },
      { name: 'plan', type: 'categorical', categories: ['basic', 'pro', 'team'] },
    ]);
    expect(classifier.model.signature.inputs.map((input) => [input.name, input.elementType])).toEqual([
      ['tenure', 'float32'],
      ['plan', 'string'],
    ]);
  });

  it('builds one [N, 1] tensor per feature, missing as NaN and ""', () => {
    const { feeds, rows } = decodeInstances(INSTANCES, classifier.model);
    expect(rows).toBe(INSTANCES.length);
    expect(feeds.tenure!.dims).toEqual([INSTANCES.length, 1]);
    expect(feeds.plan!.dims).toEqual([INSTANCES.length, 1]);
    const tenure = Array.from(feeds.tenure!.data as Float32Array);
    expect(tenure.slice(3, 5)).toEqual([Number.NaN, Number.NaN]);
    expect(feeds.plan!.data).toEqual([
      'basic',
      'team',
      'pro',
      'basic',
      'team',
      '',
      '',
      '',
      'enterprise',
      '94107',
      '',
    ]);
  });

  it('classifier: labels and probabilities equal the TS model, with missing values and unseen categories', async () => {
    const result = await predict(classifier, INSTANCES);
    const { gbdt } = classifier;
    expect(result.predictions).toEqual(Array.from(predictLabels(gbdt, TABLE), (c) => gbdt.classes[c]));
    expect(result.outputs).toBeUndefined();
    const expected = predictProbabilities(gbdt, TABLE);
    expect(result.probabilities).toHaveLength(INSTANCES.length);
    result.probabilities!.forEach((row, r) => {
      expect(row).toHaveLength(2);
      row.forEach((p, c) => {
        expect(typeof p).toBe('number');
        expect(Math.abs((p as number) - expected[r * 2 + c]!)).toBeLessThan(1e-5);
      });
    });
    // both classes occur, so the comparison means something
    expect(new Set(result.predictions)).toEqual(new Set(['stay', 'churn']));
  });

  it('regressor: predictions are the values as numbers', async () => {
    const result = await predict(regressor, INSTANCES);
    const expected = predictValues(regressor.gbdt, TABLE);
    expect(result.probabilities).toBeUndefined();
    expect(result.predictions).toHaveLength(INSTANCES.length);
    result.predictions.forEach((value, r) => {
      expect(typeof value).toBe('number');
      expect(Math.abs((value as number) - expected[r]!)).toBeLessThan(
        1e-5 * Math.max(1, Math.abs(expected[r]!)),
      );
    });
  });

  it('rejects malformed instances with 400s naming the row and field', () => {
    const model = classifier.model;
    const cases: [unknown, string, string][] = [
      [undefined, 'instances', "'instances' must be a non-empty array of objects"],
      [{ tenure: 1 }, 'instances', "'instances' must be a non-empty array of objects"],
      [[], 'instances', "'instances' must be a non-empty array of objects"],
      [
        [{ tenure: 1 }, 5],
        'instances[1]',
        'instances[1] must be an object mapping feature names to values, got 5',
      ],
      [
        [[3, 'pro']],
        'instances[0]',
        'instances[0] must be an object mapping feature names to values, got [3,"pro"]',
      ],
      [[{ tenure: 'abc' }], 'instances[0].tenure', 'instances[0].tenure: expected a number, got "abc"'],
      [[{}, { tenure: '12.5' }], 'instances[1].tenure', 'instances[1].tenure: expected a number, got "12.5"'],
      [[{ tenure: true }], 'instances[0].tenure', 'instances[0].tenure: expected a number, got true'],
      [[{ tenure: 1e39 }], 'instances[0].tenure', 'instances[0].tenure: 1e+39 is out of range for float32'],
      [
        [{ plan: { name: 'pro' } }],
        'instances[0].plan',
        'instances[0].plan: expected a string, number or boolean, got {"name":"pro"}',
      ],
      [
        [{}, {}, { tenure: 1, plna: 'pro' }],
        'instances[2].plna',
        'instances[2].plna is not a feature of the model; its features are: tenure, plan',
      ],
    ];
    for (const [instances, field, message] of cases) {
      const error = invalid(() => decodeInstances(instances, model));
      expect(error.message).toBe(message);
      expect(error.details.field).toBe(field);
    }
    expect(invalid(() => decodeInstances([{ tenure: 'x' }], model)).details).toEqual({
      field: 'instances[0].tenure',
      row: 0,
      feature: 'tenure',
    });
  });

  it('enforces maxRows and lets ignoreKeys through', () => {
    const model = classifier.model;
    const rows = Array.from({ length: 11 }, () => ({ tenure: 1 }));
    expect(invalid(() => decodeInstances(rows, model, { maxRows: 10 })).message).toBe(
      "'instances' has 11 rows, more than the limit of 10",
    );
    expect(decodeInstances(rows, model, { maxRows: 11 }).rows).toBe(11);
    const withKey = [{ tenure: 1, plan: 'pro', customer: 'c-17' }];
    expect(invalid(() => decodeInstances(withKey, model)).details.field).toBe('instances[0].customer');
    expect(decodeInstances(withKey, model, { ignoreKeys: ['customer'] }).rows).toBe(1);
    expect(decodeInstances(withKey, model, { ignoreKeys: new Set(['customer']) }).rows).toBe(1);
  });
});

function signature(inputs: TensorSpec[], outputs: TensorSpec[] = []): ModelSignature {
  return {
    inputs,
    outputs,
    opsets: [],
    irVersion: 8,
    producerName: 'test',
    producerVersion: '',
    metadata: {},
  };
}

describe('predict rows: metadata-driven element types', () => {
  const model: PredictModel = {
    signature: signature([
      { name: 'age', kind: 'tensor', elementType: 'int64', shape: ['N', 1] },
      { name: 'score', kind: 'tensor', elementType: 'float64', shape: ['N'] },
      { name: 'visits', kind: 'tensor', elementType: 'int32', shape: ['N', 1] },
    ]),
    features: [
      { name: 'age', type: 'numeric' },
      { name: 'score', type: 'numeric' },
      { name: 'visits', type: 'numeric' },
    ],
  };

  it('fills int64, float64 and int32 inputs by their element type', () => {
    const { feeds } = decodeInstances(
      [
        { age: 30, score: 0.5, visits: 2 },
        { age: '9007199254740993', score: null, visits: -1 },
      ],
      model,
    );
    expect(feeds.age!.type).toBe('int64');
    expect(Array.from(feeds.age!.data as BigInt64Array)).toEqual([30n, 9007199254740993n]);
    expect(feeds.score!.dims).toEqual([2]);
    expect(Array.from(feeds.score!.data as Float64Array)).toEqual([0.5, Number.NaN]);
    expect(Array.from(feeds.visits!.data as Int32Array)).toEqual([2, -1]);
  });

  it('an integer input has no missing value', () => {
    const rows = [{ age: 1, visits: 1 }, { age: 2, visits: 1 }, { visits: 3 }];
    const error = invalid(() => decodeInstances(rows, model));
    expect(error.message).toBe("instances[2].age is missing and input 'age' (int64) has no missing value");
    expect(invalid(() => decodeInstances([{ age: 1, visits: 1.5 }], model)).message).toBe(
      'instances[0].visits: expected an integer, got 1.5',
    );
    expect(invalid(() => decodeInstances([{ age: 1, visits: 2 ** 31 }], model)).message).toBe(
      'instances[0].visits: 2147483648 is out of range for int32 (-2147483648..2147483647)',
    );
  });

  it('a model whose features do not match its inputs needs V2', () => {
    const missing: PredictModel = { ...model, features: [{ name: 'age', type: 'numeric' }] };
    expect(invalid(() => decodeInstances([{ age: 1 }], missing)).message).toMatch(
      /cannot be called with rows \(its input 'score' is not one of its features\); send a V2 request to \/v2\/models\/\{name\}\/infer/,
    );
    const wrongType: PredictModel = {
      ...model,
      features: [{ name: 'age', type: 'categorical' }, ...model.features!.slice(1)],
    };
    expect(invalid(() => decodeInstances([{ age: 1 }], wrongType)).message).toMatch(
      /its categorical feature 'age' needs a string input, the graph's is int64/,
    );
  });

  it('reads keys that are also Object.prototype members as own properties only', () => {
    const odd: PredictModel = {
      signature: signature([
        { name: 'constructor', kind: 'tensor', elementType: 'float32', shape: ['N', 1] },
      ]),
      features: [{ name: 'constructor', type: 'numeric' }],
    };
    const { feeds } = decodeInstances([{}, { constructor: 4 }], odd);
    const name: string = 'constructor';
    expect(Array.from(feeds[name]!.data as Float32Array)).toEqual([Number.NaN, 4]);
  });
});

describe('predict rows: models without feature metadata', () => {
  it('two inputs: rows keyed by input name, an array of K for [N, K] and a scalar for [N, 1]', async () => {
    const bytes = twoInputModel();
    const model: PredictModel = { signature: readOnnxSignature(bytes) };
    const session = await ort.InferenceSession.create(bytes);
    const instances = [
      { a: [1, 2, 3], b: 10 },
      { a: [0.5, null, -1], b: -2 },
    ];
    const { feeds, rows } = decodeInstances(instances, model);
    expect(feeds.a!.dims).toEqual([2, 3]);
    expect(feeds.b!.dims).toEqual([2, 1]);
    const result = encodePredictions(await session.run(feeds), rows, model);
    const sum = [
      [11, 12, 13],
      [-1.5, 'NaN', -3],
    ];
    expect(result.predictions).toEqual(sum);
    expect(result.outputs).toEqual({ sum });
    expect(result.probabilities).toBeUndefined();
    expect(invalid(() => decodeInstances([{ a: [1, 2], b: 1 }], model)).message).toBe(
      'instances[0].a: expected an array of 3 values, got 2 values',
    );
    expect(invalid(() => decodeInstances([{ b: 1 }], model)).message).toBe(
      'instances[0].a: expected an array of 3 values, got nothing',
    );
    expect(invalid(() => decodeInstances([{ a: [1, 2, 'x'], b: 1 }], model)).message).toBe(
      'instances[0].a[2]: expected a number, got "x"',
    );
    expect(invalid(() => decodeInstances([{ a: [1, 2, 3] }], model)).message).toBe(
      "instances[0].b is missing and input 'b' (int64) has no missing value",
    );
    expect(invalid(() => decodeInstances([[1, 2, 3]], model)).message).toBe(
      'instances[0] must be an object mapping input names to values, got [1,2,3]',
    );
    expect(invalid(() => decodeInstances([{ a: [1, 2, 3], b: 1, c: 2 }], model)).message).toBe(
      'instances[0].c is not an input of the model; its inputs are: a, b',
    );
  });

  it('a single [N, K] input: bare arrays of K numbers (or objects) fill its rows; an int64 label comes back as numbers', async () => {
    const bytes = mlpModel({ inputs: 4, hidden: [6], outputs: 3, seed: 5 });
    const model: PredictModel = { signature: readOnnxSignature(bytes) };
    const session = await ort.InferenceSession.create(bytes);
    const rows = [
      [0.1, 0.2, 0.3, 0.4],
      [-1, 2, -3, 4],
      [5, 0, 0, -5],
    ];
    const instances = [rows[0], { input: rows[1] }, rows[2]];
    const decoded = decodeInstances(instances, model);
    expect(decoded.feeds.input!.dims).toEqual([3, 4]);
    const result = encodePredictions(await session.run(decoded.feeds), decoded.rows, model);
    const direct = await session.run({
      input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [3, 4]),
    });
    const probabilities = Array.from(direct.probabilities!.data as Float32Array);
    expect(result.predictions).toEqual(Array.from(direct.label!.data as BigInt64Array, Number));
    expect(result.probabilities).toEqual([
      probabilities.slice(0, 3),
      probabilities.slice(3, 6),
      probabilities.slice(6),
    ]);
    expect(invalid(() => decodeInstances([[1, 2, 3]], model)).message).toBe(
      'instances[0]: expected an array of 4 values, got 3 values',
    );
  });

  it('single-input column models take bare scalars; NaN, Infinity and big int64 come back as strings', async () => {
    const floats = identityModel('float32', ['N']);
    const floatModel: PredictModel = { signature: readOnnxSignature(floats) };
    const floatRun = await ort.InferenceSession.create(floats);
    const decoded = decodeInstances([1.5, null, 'Infinity', '-Infinity'], floatModel);
    const result = encodePredictions(await floatRun.run(decoded.feeds), decoded.rows, floatModel);
    expect(result.predictions).toEqual([1.5, 'NaN', 'Infinity', '-Infinity']);
    expect(result.outputs).toEqual({ y: [1.5, 'NaN', 'Infinity', '-Infinity'] });

    const ints = identityModel('int64', ['N', 1]);
    const intModel: PredictModel = { signature: readOnnxSignature(ints) };
    const intRun = await ort.InferenceSession.create(ints);
    const big = decodeInstances([{ x: 7 }, { x: '9223372036854775807' }], intModel);
    expect(encodePredictions(await intRun.run(big.feeds), big.rows, intModel).predictions).toEqual([
      [7],
      ['9223372036854775807'],
    ]);
  });

  it('models whose inputs rows cannot express need V2', () => {
    const cases: [TensorSpec[], RegExp][] = [
      [
        [{ name: 'image', kind: 'tensor', elementType: 'float32', shape: ['N', 3, 224, 224] }],
        /'image' has shape \[N,3,224,224\]/,
      ],
      [
        [{ name: 'tokens', kind: 'tensor', elementType: 'int64', shape: ['N', 'T'] }],
        /'tokens' has shape \[N,T\]/,
      ],
      [
        [{ name: 'x', kind: 'tensor', elementType: 'float32', shape: null }],
        /the shape of its input 'x' is unknown/,
      ],
      [[{ name: 's', kind: 'sequence', elementType: 'seq(float32)' }], /its input 's' is a sequence/],
    ];
    for (const [inputs, reason] of cases) {
      const error = invalid(() => decodeInstances([{}], { signature: signature(inputs) }));
      expect(error.message).toMatch(reason);
      expect(error.message).toMatch(/send a V2 request to \/v2\/models\/\{name\}\/infer/);
      expect(error.details.field).toBe('instances');
    }
  });

  it('a fixed batch dimension limits the number of instances', () => {
    const model: PredictModel = {
      signature: signature([{ name: 'x', kind: 'tensor', elementType: 'float32', shape: [1, 2] }]),
    };
    expect(decodeInstances([[1, 2]], model).rows).toBe(1);
    expect(
      invalid(() =>
        decodeInstances(
          [
            [1, 2],
            [3, 4],
          ],
          model,
        ),
      ).message,
    ).toBe("the model's input 'x' takes exactly 1 rows, got 2 instances");
  });

  it('an output without one row per instance cannot be answered as rows', () => {
    const model: PredictModel = { signature: signature([]) };
    const scalar = new ort.Tensor('float32', Float32Array.of(1), []);
    expect(invalid(() => encodePredictions({ total: scalar }, 2, model)).message).toMatch(
      /output 'total' has shape \[\], not one row per instance \(2\)/,
    );
  });
});

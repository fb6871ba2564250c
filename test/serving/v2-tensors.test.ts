/**
 * The V2 tensor codec against real onnxruntime-node sessions: every datatype round-trips through an
 * Identity model, the MLP and two-input models run from decoded requests, concat/split keep data
 * intact, and every malformed request is a 400 naming the input and the problem.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../src/core/errors.js';
import type { ModelSignature } from '../../src/registry/index.js';
import { readOnnxSignature } from '../../src/registry/index.js';
import { halfToNumber, numberToHalf } from '../../src/serving/protocols/v2-datatypes.js';
import {
  concatTensors,
  decodeInputs,
  encodeOutputs,
  resolveOutputs,
  splitTensor,
  V2_DATATYPES,
  v2Datatype,
} from '../../src/serving/protocols/v2-tensors.js';
import { failingModel, identityModel, mlpModel, twoInputModel, zipMapModel } from '../support/onnx-models.js';
import { invalid } from './invalid.js';

interface Loaded {
  readonly session: ort.InferenceSession;
  readonly signature: ModelSignature;
}

async function load(bytes: Uint8Array): Promise<Loaded> {
  return { session: await ort.InferenceSession.create(bytes), signature: readOnnxSignature(bytes) };
}

async function roundTrip(model: Loaded, inputs: unknown, requested?: readonly string[]) {
  const { feeds } = decodeInputs(inputs, model.signature);
  return encodeOutputs(await model.session.run(feeds), requested, model.signature);
}

const half = (value: number) => halfToNumber(numberToHalf(value));

describe('V2 datatypes', () => {
  it('maps every ONNX element type the protocol carries, and nothing else', () => {
    expect(Object.keys(V2_DATATYPES)).toHaveLength(13);
    expect(v2Datatype('float32')).toBe('FP32');
    expect(v2Datatype('string')).toBe('BYTES');
    expect(v2Datatype('bfloat16')).toBeUndefined();
    expect(v2Datatype('toString')).toBeUndefined();
  });

  it('converts every half bit pattern to a number and back exactly', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToNumber(bits);
      if (numberToHalf(value) !== (Number.isNaN(value) ? 0x7e00 : bits)) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds numbers to the nearest half, ties to even, from the double', () => {
    expect(numberToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie -> even mantissa 0
    expect(numberToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even mantissa 2
    expect(numberToHalf(1 + 2 ** -11 + 2 ** -40)).toBe(0x3c01); // just above the tie
    expect(numberToHalf(2 ** -25)).toBe(0); // subnormal tie -> 0
    expect(numberToHalf(3 * 2 ** -25)).toBe(2);
    expect(numberToHalf(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up into the normals
    expect(numberToHalf(65519)).toBe(0x7bff);
    expect(numberToHalf(65520)).toBe(0x7c00);
    expect(numberToHalf(-0)).toBe(0x8000);
    expect(half(0.1)).toBe(0.0999755859375);
  });
});

describe('decodeInputs + encodeOutputs through an Identity model', () => {
  const cases: readonly { type: string; datatype: string; data: unknown[]; expected: unknown[] }[] = [
    {
      type: 'float32',
      datatype: 'FP32',
      data: [0, -1.5, 0.1, 3.4028234663852886e38, 'NaN', 'Infinity', '-Infinity'],
      expected: [0, -1.5, Math.fround(0.1), 3.4028234663852886e38, 'NaN', 'Infinity', '-Infinity'],
    },
    {
      type: 'float64',
      datatype: 'FP64',
      data: [0.1, -2.5e-300, 1.7976931348623157e308, 'NaN', 'Infinity', '-Infinity'],
      expected: [0.1, -2.5e-300, 1.7976931348623157e308, 'NaN', 'Infinity', '-Infinity'],
    },
    {
      type: 'float16',
      datatype: 'FP16',
      data: [0.1, 1 / 3, 65504, 2 ** -24, 2 ** -14 - 2 ** -24, 1, 'NaN', 'Infinity', '-Infinity'],
      expected: [
        0.0999755859375,
        0.333251953125,
        65504,
        2 ** -24,
        2 ** -14 - 2 ** -24,
        1,
        'NaN',
        'Infinity',
        '-Infinity',
      ],
    },
    { type: 'int8', datatype: 'INT8', data: [-128, 0, 127], expected: [-128, 0, 127] },
    { type: 'uint8', datatype: 'UINT8', data: [0, 255, 7], expected: [0, 255, 7] },
    { type: 'int16', datatype: 'INT16', data: [-32768, 32767, 1], expected: [-32768, 32767, 1] },
    { type: 'uint16', datatype: 'UINT16', data: [0, 65535, 1], expected: [0, 65535, 1] },
    {
      type: 'int32',
      datatype: 'INT32',
      data: [-2147483648, 2147483647, 0],
      expected: [-2147483648, 2147483647, 0],
    },
    { type: 'uint32', datatype: 'UINT32', data: [0, 4294967295, 5], expected: [0, 4294967295, 5] },
    {
      type: 'int64',
      datatype: 'INT64',
      data: [
        0,
        -1,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        '9007199254740993',
        '-9223372036854775808',
        '9223372036854775807',
        '12',
        -4294967296,
        4294967297,
      ],
      expected: [
        0,
        -1,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        '9007199254740993',
        '-9223372036854775808',
        '9223372036854775807',
        12,
        -4294967296,
        4294967297,
      ],
    },
    {
      type: 'uint64',
      datatype: 'UINT64',
      data: [0, Number.MAX_SAFE_INTEGER, '9007199254740992', '18446744073709551615'],
      expected: [0, Number.MAX_SAFE_INTEGER, '9007199254740992', '18446744073709551615'],
    },
    { type: 'bool', datatype: 'BOOL', data: [true, false, true], expected: [true, false, true] },
    {
      type: 'string',
      datatype: 'BYTES',
      data: ['a', '', 'héllo wörld', '😀'],
      expected: ['a', '', 'héllo wörld', '😀'],
    },
  ];

  for (const c of cases) {
    it(`round-trips ${c.datatype}`, async () => {
      const model = await load(identityModel(c.type, ['N']));
      const shape = [c.data.length];
      const outputs = await roundTrip(model, [{ name: 'x', shape, datatype: c.datatype, data: c.data }]);
      expect(outputs).toEqual([{ name: 'y', shape, datatype: c.datatype, data: c.expected }]);
      // What goes on the wire: JSON can carry every value we produce.
      expect(JSON.parse(JSON.stringify(outputs))).toEqual(outputs);
    });
  }

  it('keeps the sign of -0 in FP16 and FP32', async () => {
    for (const [type, datatype] of [
      ['float16', 'FP16'],
      ['float32', 'FP32'],
    ] as const) {
      const model = await load(identityModel(type, ['N']));
      const [output] = await roundTrip(model, [{ name: 'x', shape: [2], datatype, data: [-0, 0] }]);
      expect(Object.is(output!.data[0], -0)).toBe(true);
      expect(Object.is(output!.data[1], 0)).toBe(true);
    }
  });

  it('accepts nested row-major data agreeing with the shape', async () => {
    const model = await load(identityModel('float32', ['N', 2, 3]));
    const nested = [
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [
        [7, 8, 9],
        [10, 11, 12],
      ],
    ];
    const flat = nested.flat(2);
    const fromNested = await roundTrip(model, [
      { name: 'x', shape: [2, 2, 3], datatype: 'FP32', data: nested },
    ]);
    const fromFlat = await roundTrip(model, [{ name: 'x', shape: [2, 2, 3], datatype: 'FP32', data: flat }]);
    expect(fromNested).toEqual([{ name: 'y', shape: [2, 2, 3], datatype: 'FP32', data: flat }]);
    expect(fromFlat).toEqual(fromNested);
  });

  it('accepts nested strings and int64 strings', async () => {
    const strings = await load(identityModel('string', ['N', 2]));
    const [s] = await roundTrip(strings, [
      {
        name: 'x',
        shape: [2, 2],
        datatype: 'BYTES',
        data: [
          ['a', 'b'],
          ['c', 'd'],
        ],
      },
    ]);
    expect(s!.data).toEqual(['a', 'b', 'c', 'd']);
    const ints = await load(identityModel('int64', ['N', 2]));
    const [i] = await roundTrip(ints, [
      { name: 'x', shape: [1, 2], datatype: 'INT64', data: [['-9007199254740993', 3]] },
    ]);
    expect(i!.data).toEqual(['-9007199254740993', 3]);
  });

  it('handles empty batches and rank-0 tensors', async () => {
    const model = await load(identityModel('float32', ['N', 3]));
    const decoded = decodeInputs([{ name: 'x', shape: [0, 3], datatype: 'FP32', data: [] }], model.signature);
    expect(decoded.rows).toBe(0);
    const scalar = await load(identityModel('int32', []));
    const { feeds, rows } = decodeInputs(
      [{ name: 'x', shape: [], datatype: 'INT32', data: [7] }],
      scalar.signature,
    );
    expect(rows).toBe(-1);
    const outputs = encodeOutputs(await scalar.session.run(feeds), undefined, scalar.signature);
    expect(outputs).toEqual([{ name: 'y', shape: [], datatype: 'INT32', data: [7] }]);
  });
});

describe('multi-input and multi-output models', () => {
  it('runs the MLP: probabilities sum to 1 and labels are their argmax', async () => {
    const model = await load(mlpModel({ inputs: 4, hidden: [16, 8], outputs: 3, seed: 7 }));
    const rows = 6;
    const data = Array.from({ length: rows }, (_, r) => [r - 2, Math.sin(r) * 3, r * 0.5, -r]);
    const { feeds, rows: batch } = decodeInputs(
      [{ name: 'input', shape: [rows, 4], datatype: 'FP32', data }],
      model.signature,
    );
    expect(batch).toBe(rows);
    const [probabilities, label] = encodeOutputs(await model.session.run(feeds), undefined, model.signature);
    expect(probabilities).toMatchObject({ name: 'probabilities', shape: [rows, 3], datatype: 'FP32' });
    expect(label).toMatchObject({ name: 'label', shape: [rows], datatype: 'INT64' });
    const p = probabilities!.data as number[];
    const labels = new Set<unknown>();
    for (let r = 0; r < rows; r++) {
      const row = p.slice(r * 3, r * 3 + 3);
      expect(row[0]! + row[1]! + row[2]!).toBeCloseTo(1, 5);
      expect(label!.data[r]).toBe(row.indexOf(Math.max(...row)));
      labels.add(label!.data[r]);
    }
    // Requested outputs come back in the requested order, and only those.
    const requested = await roundTrip(
      model,
      [{ name: 'input', shape: [rows, 4], datatype: 'FP32', data }],
      ['label'],
    );
    expect(requested).toEqual([label]);
  });

  it('takes inputs in any order and reports the shared batch size', async () => {
    const model = await load(twoInputModel());
    const inputs = [
      { name: 'b', shape: [2, 1], datatype: 'INT64', data: [[10], [20]] },
      { name: 'a', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] },
    ];
    expect(decodeInputs(inputs, model.signature).rows).toBe(2);
    expect(await roundTrip(model, inputs)).toEqual([
      { name: 'sum', shape: [2, 3], datatype: 'FP32', data: [11, 12, 13, 24, 25, 26] },
    ]);
    const disagreeing = [
      { name: 'a', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] },
      { name: 'b', shape: [1, 1], datatype: 'INT64', data: [1] },
    ];
    expect(decodeInputs(disagreeing, model.signature).rows).toBe(-1);
  });

  it('builds a model that loads and fails at run time for an out-of-range index', async () => {
    const model = await load(failingModel());
    expect(await roundTrip(model, [{ name: 'index', shape: [2], datatype: 'INT64', data: [3, -4] }])).toEqual(
      [{ name: 'value', shape: [2], datatype: 'FP32', data: [40, 10] }],
    );
    const { feeds } = decodeInputs(
      [{ name: 'index', shape: [1], datatype: 'INT64', data: [7] }],
      model.signature,
    );
    await expect(model.session.run(feeds)).rejects.toThrow(/out of data bounds/);
  });

  it('rejects non-tensor outputs (onnxruntime-node itself refuses to return them)', async () => {
    const model = await load(zipMapModel());
    expect(model.signature.outputs[0]!.kind).toBe('sequence');
    const { feeds } = decodeInputs(
      [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [0.2, 0.8] }],
      model.signature,
    );
    await expect(model.session.run(feeds)).rejects.toThrow(/Non tensor type/);
    const e = invalid(() => encodeOutputs({}, undefined, model.signature));
    expect(e.message).toMatch(/^output 'y' is a sequence .*not a tensor/);
    // A tensor output the runtime answered with something else.
    const identity = readOnnxSignature(identityModel('float32', ['N']));
    const fake = { y: [{ 0: 0.5 }] } as unknown as Record<string, ort.Tensor>;
    expect(invalid(() => encodeOutputs(fake, undefined, identity)).message).toMatch(
      /^output 'y' is a sequence, not a tensor/,
    );
  });
});

describe('concatTensors and splitTensor', () => {
  const cases: readonly [string, () => ort.Tensor[]][] = [
    [
      'float32',
      () => [
        new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]),
        new ort.Tensor('float32', Float32Array.from([5, 6]), [1, 2]),
      ],
    ],
    [
      'int64',
      () => [
        new ort.Tensor('int64', BigInt64Array.from([2n ** 62n, -1n]), [2]),
        new ort.Tensor('int64', BigInt64Array.from([-(2n ** 63n)]), [1]),
      ],
    ],
    [
      'string',
      () => [
        new ort.Tensor('string', ['a', 'b'], [1, 2]),
        new ort.Tensor('string', ['c', 'd', 'e', 'f'], [2, 2]),
      ],
    ],
    [
      'bool',
      () => [
        new ort.Tensor('bool', Uint8Array.from([1, 0]), [2]),
        new ort.Tensor('bool', Uint8Array.from([]), [0]),
        new ort.Tensor('bool', Uint8Array.from([1]), [1]),
      ],
    ],
    [
      'float16',
      () => [
        new ort.Tensor('float16', Uint16Array.from([0x3c00, 0x7e00]), [2]),
        new ort.Tensor('float16', Uint16Array.from([0x8000]), [1]),
      ],
    ],
  ];

  for (const [type, make] of cases) {
    it(`round-trips ${type}`, () => {
      const parts = make();
      const joined = concatTensors(parts);
      expect(joined.type).toBe(type);
      expect(joined.dims).toEqual([
        parts.reduce((sum, part) => sum + part.dims[0]!, 0),
        ...parts[0]!.dims.slice(1),
      ]);
      expect(Array.from(joined.data as ArrayLike<unknown>)).toEqual(
        parts.flatMap((part) => Array.from(part.data as ArrayLike<unknown>)),
      );
      const split = splitTensor(
        joined,
        parts.map((part) => part.dims[0]!),
      );
      expect(
        split.map((piece) => [piece.type, piece.dims, Array.from(piece.data as ArrayLike<unknown>)]),
      ).toEqual(parts.map((part) => [part.type, part.dims, Array.from(part.data as ArrayLike<unknown>)]));
    });
  }

  it('produces pieces onnxruntime can run (views with an offset)', async () => {
    const model = await load(identityModel('int64', ['N', 2]));
    const whole = new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n]), [3, 2]);
    const [, tail] = splitTensor(whole, [1, 2]);
    const outputs = encodeOutputs(await model.session.run({ x: tail! }), undefined, model.signature);
    expect(outputs[0]).toEqual({ name: 'y', shape: [2, 2], datatype: 'INT64', data: [3, 4, 5, 6] });
  });

  it('refuses mismatched parts and row counts with plain errors', () => {
    const a = new ort.Tensor('float32', new Float32Array(4), [2, 2]);
    expect(() => concatTensors([a, new ort.Tensor('float64', new Float64Array(2), [1, 2])])).toThrow(
      /part 1 is float64/,
    );
    expect(() => concatTensors([a, new ort.Tensor('float32', new Float32Array(3), [1, 3])])).toThrow(
      /part 1 has dims \[1,3\]/,
    );
    expect(() => concatTensors([])).toThrow(/at least one/);
    expect(() => splitTensor(a, [1, 2])).toThrow(/rows add up to 3, the tensor has 2/);
    expect(() => splitTensor(a, [1, 2])).not.toThrow(InvalidError);
  });
});

describe('request errors', () => {
  const two = readOnnxSignature(twoInputModel());
  const fp32 = readOnnxSignature(identityModel('float32', ['N', 4]));
  const a = { name: 'a', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] };
  const b = { name: 'b', shape: [1, 1], datatype: 'INT64', data: [1] };
  const x = (fields: Record<string, unknown>) => [
    { name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4], ...fields },
  ];
  const typed = (type: string, datatype: string, data: unknown[]) =>
    invalid(() =>
      decodeInputs(
        [{ name: 'x', shape: [data.length], datatype, data }],
        readOnnxSignature(identityModel(type, ['N'])),
      ),
    );

  it('rejects a request without a non-empty inputs array', () => {
    for (const inputs of [undefined, {}, [], 'x']) {
      const e = invalid(() => decodeInputs(inputs, two));
      expect(e.message).toBe("'inputs' must be a non-empty array of tensors");
      expect(e.details).toEqual({ field: 'inputs' });
    }
    expect(invalid(() => decodeInputs([a, 5], two)).details).toEqual({ field: 'inputs[1]' });
    expect(invalid(() => decodeInputs([{ ...a, name: 3 }, b], two)).message).toBe(
      'inputs[0].name must be a non-empty string',
    );
  });

  it('names unknown, duplicate and missing inputs', () => {
    const unknown = invalid(() => decodeInputs([a, b, { ...a, name: 'foo' }], two));
    expect(unknown.message).toBe("unknown input 'foo'; the model's inputs are: a, b");
    expect(unknown.details).toMatchObject({ field: 'inputs[2].name', input: 'foo' });
    const duplicate = invalid(() => decodeInputs([a, b, a], two));
    expect(duplicate.message).toBe("input 'a' appears more than once");
    expect(duplicate.details).toMatchObject({ field: 'inputs[2].name' });
    expect(invalid(() => decodeInputs([a], two)).message).toBe("missing input 'b'");
  });

  it('checks the datatype against the model', () => {
    const e = invalid(() => decodeInputs(x({ datatype: 'FP64' }), fp32));
    expect(e.message).toBe("input 'x': datatype FP64 does not match the model's FP32");
    expect(e.details).toMatchObject({ field: 'inputs[0].datatype', expected: 'FP32' });
    expect(invalid(() => decodeInputs(x({ datatype: undefined }), fp32)).message).toBe(
      "input 'x': datatype undefined does not match the model's FP32",
    );
  });

  it('checks the shape and the element count', () => {
    expect(invalid(() => decodeInputs(x({ shape: 'big' }), fp32)).message).toBe(
      "input 'x': shape must be an array of non-negative integers",
    );
    const negative = invalid(() => decodeInputs(x({ shape: [1, -4] }), fp32));
    expect(negative.message).toBe("input 'x': shape[1] is -4, not a non-negative integer");
    expect(negative.details).toMatchObject({ field: 'inputs[0].shape[1]' });
    expect(invalid(() => decodeInputs(x({ shape: [1.5, 4] }), fp32)).message).toBe(
      "input 'x': shape[0] is 1.5, not a non-negative integer",
    );
    expect(invalid(() => decodeInputs(x({ shape: [4] }), fp32)).message).toBe(
      "input 'x': shape [4] has rank 1, the model expects rank 2 [N,4]",
    );
    expect(invalid(() => decodeInputs(x({ shape: [2, 2] }), fp32)).message).toBe(
      "input 'x': shape [2,2] does not match the model's [N,4] at dimension 1",
    );
    const count = invalid(() => decodeInputs(x({ shape: [3, 4], data: new Array(10).fill(0) }), fp32));
    expect(count.message).toBe("input 'x': expected 12 elements for shape [3,4], got 10");
    expect(count.details).toMatchObject({ field: 'inputs[0].data', input: 'x' });
  });

  it('checks that nested data is rectangular and agrees with the shape', () => {
    const ragged = invalid(() =>
      decodeInputs(
        x({
          shape: [2, 4],
          data: [
            [1, 2, 3, 4],
            [5, 6, 7],
          ],
        }),
        fp32,
      ),
    );
    expect(ragged.message).toBe("input 'x' data[1]: expected an array of 4 elements for shape [2,4], got 3");
    expect(ragged.details).toMatchObject({ field: 'inputs[0].data[1]' });
    expect(invalid(() => decodeInputs(x({ shape: [3, 4], data: [[1, 2, 3, 4]] }), fp32)).message).toBe(
      "input 'x' data: expected an array of 3 elements for shape [3,4], got 1",
    );
    expect(invalid(() => decodeInputs(x({ shape: [2, 4], data: [[1, 2, 3, 4], 5] }), fp32)).message).toBe(
      "input 'x' data[1]: expected an array of 4 elements for shape [2,4], got 5",
    );
    expect(invalid(() => decodeInputs(x({ data: 'abc' }), fp32)).message).toBe(
      "input 'x': data must be an array",
    );
    expect(
      invalid(() => decodeInputs(x({ data: undefined, parameters: { binary_data_size: 16 } }), fp32)).message,
    ).toMatch(/binary tensor data is not supported/);
  });

  it('names the element and the problem for values of the wrong kind', () => {
    const flat = invalid(() => decodeInputs(x({ data: [1, 2, 3, 'abc'] }), fp32));
    expect(flat.message).toBe("input 'x' data[3]: 'abc' is not a number");
    expect(flat.details).toMatchObject({ field: 'inputs[0].data[3]', input: 'x' });
    const nested = invalid(() =>
      decodeInputs(
        x({
          shape: [2, 4],
          data: [
            [1, 2, 3, 4],
            [5, null, 7, 8],
          ],
        }),
        fp32,
      ),
    );
    expect(nested.message).toBe("input 'x' data[1][1]: null is not a number");
    expect(nested.details).toMatchObject({ field: 'inputs[0].data[1][1]' });
    expect(typed('float32', 'FP32', [1e39]).message).toBe(
      `input 'x' data[0]: 1e+39 is out of range for FP32 (send "Infinity" as a string)`,
    );
    expect(typed('float16', 'FP16', [1, 70000]).message).toMatch(
      /^input 'x' data\[1\]: 70000 is out of range for FP16/,
    );
    expect(typed('float64', 'FP64', [Number.POSITIVE_INFINITY]).message).toMatch(
      /Infinity is out of range for FP64/,
    );
    expect(typed('float32', 'FP32', ['inf']).message).toBe("input 'x' data[0]: 'inf' is not a number");
    expect(typed('int8', 'INT8', [300]).message).toBe("input 'x' data[0]: 300 is out of range (-128..127)");
    expect(typed('uint8', 'UINT8', [-1]).message).toBe("input 'x' data[0]: -1 is out of range (0..255)");
    expect(typed('int32', 'INT32', [1, 1.5]).message).toBe("input 'x' data[1]: 1.5 is not an integer");
    expect(typed('int32', 'INT32', ['5']).message).toBe("input 'x' data[0]: '5' is not a number");
    expect(typed('uint32', 'UINT32', [4294967296]).message).toMatch(
      /4294967296 is out of range \(0\.\.4294967295\)/,
    );
    expect(typed('int64', 'INT64', [2 ** 60]).message).toBe(
      "input 'x' data[0]: 1152921504606847000 is beyond 2^53 and cannot be exact as a JSON number; send it as a decimal string",
    );
    expect(typed('int64', 'INT64', ['9223372036854775808']).message).toMatch(
      /'9223372036854775808' is out of range \(-9223372036854775808\.\.9223372036854775807\)/,
    );
    expect(typed('int64', 'INT64', ['1.5']).message).toBe(
      "input 'x' data[0]: '1.5' is not an integer or a decimal string",
    );
    expect(typed('uint64', 'UINT64', [-1]).message).toMatch(
      /-1 is out of range \(0\.\.18446744073709551615\)/,
    );
    expect(typed('uint64', 'UINT64', ['-1']).message).toMatch(/'-1' is out of range/);
    expect(typed('bool', 'BOOL', [true, 1]).message).toBe(
      "input 'x' data[1]: 1 is not a boolean (true or false)",
    );
    expect(typed('string', 'BYTES', ['a', 5]).message).toBe("input 'x' data[1]: 5 is not a string");
  });

  it('names an unknown requested output and lists the model outputs', () => {
    const mlp = readOnnxSignature(mlpModel({ inputs: 2, hidden: [], outputs: 2, seed: 1 }));
    const e = invalid(() => encodeOutputs({}, ['label', 'scores'], mlp));
    expect(e.message).toBe("unknown output 'scores'; the model's outputs are: probabilities, label");
    expect(e.details).toMatchObject({ field: 'outputs[1].name', output: 'scores' });
    expect(resolveOutputs(['label'], mlp)).toEqual(['label']);
    expect(resolveOutputs([], mlp)).toEqual(['probabilities', 'label']);
    expect(invalid(() => resolveOutputs(['nope'], mlp)).message).toMatch(/^unknown output 'nope'/);
  });

  it('rejects models whose inputs the protocol cannot carry', () => {
    const signature: ModelSignature = {
      ...fp32,
      inputs: [{ name: 'x', kind: 'tensor', elementType: 'bfloat16', shape: ['N'] }],
    };
    expect(invalid(() => decodeInputs(x({ shape: [1], data: [1] }), signature)).message).toBe(
      "input 'x': the model expects element type bfloat16, which the V2 protocol cannot carry",
    );
  });
});

/**
 * The pipeline definition model through its public face: a realistic pipeline parses, orders,
 * renders and fingerprints the same from YAML and TypeScript; every bad definition is rejected with
 * a message naming the exact place (and, from YAML, its line and column); expressions evaluate strictly.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ … }}` is pipeline reference syntax, not a JS template.
import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../src/core/errors.js';
import {
  definePipeline,
  downstreamOf,
  type Expression,
  evaluateExpression,
  parseExpression,
  parsePipeline,
  parsePipelineYaml,
  pipelineDigest,
  renderDag,
  topologicalOrder,
  upstreamOf,
} from '../../src/pipelines/index.js';
import { CHURN_SPEC, CHURN_YAML } from './churn-pipeline.js';

function failure(run: () => unknown): InvalidError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidError) return error;
    throw error;
  }
  throw new Error('expected an InvalidError, but the definition was accepted');
}

describe('a realistic pipeline', () => {
  it('parses from YAML with defaults filled in and references parsed once', () => {
    const pipeline = parsePipelineYaml(CHURN_YAML, 'churn.yaml');
    expect(pipeline.name).toBe('churn-lifecycle');
    expect(pipeline.concurrency).toBe(4);
    const train = pipeline.steps.find((step) => step.name === 'train')!;
    expect(train).toMatchObject({
      timeoutMs: 600_000,
      retries: { count: 2, backoffMs: 1000, factor: 2 },
      resources: ['gpu'],
      cache: true,
      after: ['validate'],
    });
    expect(train.inputs.dataset).toEqual({
      kind: 'ref',
      ref: { source: 'step', step: 'push', output: 'dataset', path: 'steps.push.outputs.dataset' },
    });
    const compare = pipeline.steps.find((step) => step.name === 'compare')!;
    expect(compare.kind === 'command' && compare.argv[2]).toEqual({
      kind: 'template',
      parts: ['--threshold=', { source: 'param', name: 'threshold', path: 'params.threshold' }],
    });
    const grid = pipeline.steps.find((step) => step.name === 'grid')!;
    expect(grid.foreach).toEqual({
      items: { kind: 'ref', ref: { source: 'param', name: 'grid', path: 'params.grid' } },
      concurrency: 2,
    });
    expect(grid).toMatchObject({
      kind: 'fn',
      module: './grid.ts',
      export: 'default',
      resources: ['default'],
    });
  });

  it('orders steps topologically, keeping declaration order among ready steps', () => {
    const pipeline = parsePipelineYaml(CHURN_YAML);
    expect(topologicalOrder(pipeline).map((step) => step.name)).toEqual([
      'push',
      'validate',
      'train',
      'grid',
      'compare',
      'evaluate',
      'gate',
      'register',
      'alias',
      'deploy',
    ]);
    expect(upstreamOf(pipeline, 'gate')).toEqual([
      'push',
      'validate',
      'train',
      'grid',
      'compare',
      'evaluate',
    ]);
    expect(downstreamOf(pipeline, 'gate')).toEqual(['register', 'alias', 'deploy']);
    expect(downstreamOf(pipeline, 'deploy')).toEqual([]);
  });

  it('renders its DAG by levels, then its edges', () => {
    expect(renderDag(parsePipelineYaml(CHURN_YAML))).toBe(
      [
        'pipeline churn-lifecycle: 10 steps in 8 levels',
        '  0 │ push [dataset.push]',
        '  1 │ validate [dataset.validate]  grid [fn, foreach]',
        '  2 │ train [train]  compare [command]',
        '  3 │ evaluate [model.evaluate]',
        '  4 │ gate [gate]',
        '  5 │ register [model.register]',
        '  6 │ alias [model.alias]',
        '  7 │ deploy [deployment.update, when]',
        'edges:',
        '  push -> validate',
        '  push -> grid',
        '  push -> train',
        '  validate -> train (after)',
        '  grid -> compare',
        '  train -> evaluate',
        '  push -> evaluate',
        '  evaluate -> gate',
        '  compare -> gate',
        '  train -> register',
        '  gate -> register (after)',
        '  register -> alias',
        '  alias -> deploy (after)',
        '',
      ].join('\n'),
    );
  });

  it('has the same digest written in TypeScript (other key order, defaults spelled out)', () => {
    const fromYaml = parsePipelineYaml(CHURN_YAML);
    const fromTs = definePipeline(CHURN_SPEC);
    expect(fromTs).toEqual(fromYaml);
    expect(pipelineDigest(fromTs)).toBe(pipelineDigest(fromYaml));
    expect(pipelineDigest(fromYaml)).toMatch(/^[0-9a-f]{64}$/);
    const changed = definePipeline({ ...CHURN_SPEC, concurrency: 5 });
    expect(pipelineDigest(changed)).not.toBe(pipelineDigest(fromYaml));
  });

  it('throws the same errors from definePipeline as from YAML', () => {
    const error = failure(() =>
      definePipeline({ name: 'p', steps: [{ name: 'a', kind: 'gate', inputs: { condition: 'params.x' } }] }),
    );
    expect(error.message).toBe(
      "steps[0] (a).inputs.condition: column 1: unknown param 'x' (the pipeline declares no params)",
    );
    expect(error.details).toMatchObject({ field: 'steps[0].inputs.condition' });
  });
});

describe('rejections name the exact place', () => {
  const cases: readonly {
    name: string;
    yaml: string;
    message: string;
    at: { field: string; line: number; column: number };
  }[] = [
    {
      name: 'an unknown field',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    retry: 3\n',
      message:
        "line 6, column 5: steps[0] (a).retry: unknown field 'retry' (allowed: name, kind, inputs, after, retries, timeout, cache, resources, when, foreach, module, export, outputs)",
      at: { field: 'steps[0].retry', line: 6, column: 5 },
    },
    {
      name: 'an unknown top-level field',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\nowner: me\n',
      message:
        "line 6, column 1: owner: unknown field 'owner' (allowed: name, description, params, concurrency, steps, schedules, triggers)",
      at: { field: 'owner', line: 6, column: 1 },
    },
    {
      name: 'a missing required field',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n',
      message: 'line 3, column 5: steps[0] (a).module: required field is missing',
      at: { field: 'steps[0].module', line: 3, column: 5 },
    },
    {
      name: 'a missing pipeline name',
      yaml: 'steps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n',
      message: 'line 1, column 1: name: required field is missing',
      at: { field: 'name', line: 1, column: 1 },
    },
    {
      name: 'a duplicate step name',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n  - name: b\n    kind: fn\n    module: ./b.ts\n  - name: a\n    kind: fn\n    module: ./a.ts\n',
      message: "line 9, column 5: steps[2] (a).name: duplicate step name 'a' (also steps[0])",
      at: { field: 'steps[2].name', line: 9, column: 5 },
    },
    {
      name: 'a duplicate param name',
      yaml: 'name: p\nparams:\n  lr: { type: number }\n  lr: { type: integer }\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n',
      message: "line 4, column 3: params.lr: duplicate param 'lr'",
      at: { field: 'params.lr', line: 4, column: 3 },
    },
    {
      name: 'an unknown kind',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: sql\n',
      message:
        "line 4, column 5: steps[0] (a).kind: unknown kind 'sql' (known: fn, command, dataset.push, dataset.validate, train, model.register, model.evaluate, model.alias, deployment.update, gate)",
      at: { field: 'steps[0].kind', line: 4, column: 5 },
    },
    {
      name: 'a reference to an unknown step',
      yaml: 'name: p\nsteps:\n  - name: push\n    kind: dataset.push\n    inputs: { name: churn, file: a.csv }\n  - name: validate\n    kind: dataset.validate\n    inputs: { dataset: "${{ steps.push.outputs.dataset }}" }\n  - name: train\n    kind: train\n    inputs:\n      dataset: "${{ steps.pushh.outputs.dataset }}"\n      target: churned\n',
      message:
        "line 12, column 7: steps[2] (train).inputs.dataset: unknown step 'pushh' (known: push, validate)",
      at: { field: 'steps[2].inputs.dataset', line: 12, column: 7 },
    },
    {
      name: 'a reference to an unknown param',
      yaml: 'name: p\nparams:\n  lr: { type: number, default: 0.1 }\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    inputs: { lr: "${{ params.lrr }}" }\n',
      message: "line 8, column 15: steps[0] (a).inputs.lr: unknown param 'lrr' (known: lr)",
      at: { field: 'steps[0].inputs.lr', line: 8, column: 15 },
    },
    {
      name: 'a reference to an unknown output',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    outputs: { auc: number }\n  - name: b\n    kind: fn\n    module: ./b.ts\n    inputs: { x: "${{ steps.a.outputs.accuracy }}" }\n',
      message: "line 10, column 15: steps[1] (b).inputs.x: step 'a' has no output 'accuracy' (outputs: auc)",
      at: { field: 'steps[1].inputs.x', line: 10, column: 15 },
    },
    {
      name: 'item outside a foreach step',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    inputs: { x: "${{ item }}" }\n',
      message:
        'line 6, column 15: steps[0] (a).inputs.x: ${{ item }} is only available inside a foreach step',
      at: { field: 'steps[0].inputs.x', line: 6, column: 15 },
    },
    {
      name: 'a cycle',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    after: [c]\n  - name: b\n    kind: fn\n    module: ./b.ts\n    outputs: { y: string }\n    after: [a]\n  - name: c\n    kind: fn\n    module: ./c.ts\n    inputs: { x: "${{ steps.b.outputs.y }}" }\n',
      message: 'line 3, column 5: steps[0] (a): dependency cycle a -> b -> c -> a',
      at: { field: 'steps[0]', line: 3, column: 5 },
    },
    {
      name: 'a type mismatch',
      yaml: 'name: p\nsteps:\n  - name: push\n    kind: dataset.push\n    inputs: { name: churn, file: a.csv }\n  - name: train\n    kind: train\n    inputs: { dataset: "${{ steps.push.outputs.dataset }}", target: churned }\n  - name: evaluate\n    kind: model.evaluate\n    inputs:\n      model: "${{ steps.train.outputs.model }}"\n      dataset: "${{ steps.train.outputs.run }}"\n      target: churned\n',
      message:
        'line 13, column 7: steps[2] (evaluate).inputs.dataset: expects dataset, steps.train.outputs.run is string',
      at: { field: 'steps[2].inputs.dataset', line: 13, column: 7 },
    },
    {
      name: 'a constant of the wrong type',
      yaml: 'name: p\nsteps:\n  - name: train\n    kind: train\n    inputs: { dataset: churn@3, target: churned, trials: many }\n',
      message: 'line 5, column 50: steps[0] (train).inputs.trials: expects integer, got string "many"',
      at: { field: 'steps[0].inputs.trials', line: 5, column: 50 },
    },
    {
      name: 'a bad duration',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    timeout: 10 minutes\n',
      message:
        'line 6, column 5: steps[0] (a).timeout: must be a duration such as "90s", "10m" or "2h" (or milliseconds), got \'10 minutes\'',
      at: { field: 'steps[0].timeout', line: 6, column: 5 },
    },
    {
      name: 'a duration over 7 days',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    timeout: 8d\n',
      message: "line 6, column 5: steps[0] (a).timeout: must be at most 7 days, got '8d'",
      at: { field: 'steps[0].timeout', line: 6, column: 5 },
    },
    {
      name: 'a bad expression',
      yaml: 'name: p\nparams:\n  x: { type: number }\nsteps:\n  - name: check\n    kind: gate\n    inputs: { condition: "params.x >= && true" }\n',
      message:
        "line 7, column 15: steps[0] (check).inputs.condition: column 13: unexpected '&&' in 'params.x >= && true'",
      at: { field: 'steps[0].inputs.condition', line: 7, column: 15 },
    },
    {
      name: 'a bad when',
      yaml: 'name: p\nparams:\n  x: { type: number }\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    when: (params.x == 1\n',
      message:
        "line 8, column 5: steps[0] (a).when: column 15: expected ')' to close the '(' at column 1 in '(params.x == 1'",
      at: { field: 'steps[0].when', line: 8, column: 5 },
    },
    {
      name: 'a step referencing itself',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    outputs: { y: string }\n    inputs: { x: "${{ steps.a.outputs.y }}" }\n',
      message: 'line 7, column 15: steps[0] (a).inputs.x: a step cannot reference itself (steps.a.outputs.y)',
      at: { field: 'steps[0].inputs.x', line: 7, column: 15 },
    },
    {
      name: 'an unknown path in a condition',
      yaml: 'name: p\nsteps:\n  - name: check\n    kind: gate\n    inputs: { condition: "steps.eval.outputs.auc > 0.8" }\n',
      message:
        "line 5, column 15: steps[0] (check).inputs.condition: column 1: unknown step 'eval' (the pipeline has no other steps)",
      at: { field: 'steps[0].inputs.condition', line: 5, column: 15 },
    },
    {
      name: 'an unknown after',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    after: [b]\n',
      message: "line 6, column 13: steps[0] (a).after[0]: unknown step 'b' (the pipeline has no other steps)",
      at: { field: 'steps[0].after[0]', line: 6, column: 13 },
    },
    {
      name: 'a bad default',
      yaml: 'name: p\nparams:\n  n: { type: integer, default: 2.5 }\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n',
      message: 'line 3, column 23: params.n.default: must be an integer, got number 2.5',
      at: { field: 'params.n.default', line: 3, column: 23 },
    },
    {
      name: 'a missing built-in input',
      yaml: 'name: p\nsteps:\n  - name: push\n    kind: dataset.push\n    inputs: { name: churn }\n',
      message: 'line 5, column 5: steps[0] (push).inputs.file: required input of dataset.push is missing',
      at: { field: 'steps[0].inputs.file', line: 5, column: 5 },
    },
    {
      name: 'an unknown built-in input',
      yaml: 'name: p\nsteps:\n  - name: push\n    kind: dataset.push\n    inputs: { name: churn, file: a.csv, format: csv }\n',
      message:
        "line 5, column 41: steps[0] (push).inputs.format: unknown input 'format' for dataset.push (expects: name, file)",
      at: { field: 'steps[0].inputs.format', line: 5, column: 41 },
    },
    {
      name: 'a bad name',
      yaml: 'name: p\nsteps:\n  - name: Train\n    kind: fn\n    module: ./a.ts\n',
      message:
        "line 3, column 5: steps[0] (Train).name: must be lower case without surrounding spaces, got 'Train'",
      at: { field: 'steps[0].name', line: 3, column: 5 },
    },
    {
      name: 'bad retries',
      yaml: 'name: p\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    retries: { count: 21, factor: 0.5 }\n',
      message:
        'invalid pipeline (2 problems):\n  line 6, column 16: steps[0] (a).retries.count: must be a whole number from 0 to 20, got number 21\n  line 6, column 27: steps[0] (a).retries.factor: must be a number from 1 to 100, got number 0.5',
      at: { field: 'steps[0].retries.count', line: 6, column: 16 },
    },
    {
      name: 'a foreach over a string',
      yaml: 'name: p\nparams:\n  s: { type: string }\nsteps:\n  - name: a\n    kind: fn\n    module: ./a.ts\n    foreach: { items: "${{ params.s }}" }\n',
      message: 'line 8, column 16: steps[0] (a).foreach.items: must be a list, params.s is string',
      at: { field: 'steps[0].foreach.items', line: 8, column: 16 },
    },
    {
      name: 'a syntax error',
      yaml: 'name: p\nsteps: [\n',
      message:
        'line 3, column 1: pipeline: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      at: { field: '', line: 3, column: 1 },
    },
  ];
  for (const { name, yaml, message, at } of cases)
    it(`rejects ${name}`, () => {
      const error = failure(() => parsePipelineYaml(yaml));
      expect(error.message).toBe(message);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.details).toMatchObject(at);
    });
});

describe('problems from TypeScript objects', () => {
  it('collects every problem into one error, with the file name when given', () => {
    const error = failure(() =>
      parsePipeline(
        {
          name: 'p',
          concurrency: 0,
          steps: [
            { name: 'a', kind: 'command', argv: [] },
            { name: 'b', kind: 'fn', module: 'grid.ts', inputs: { x: [{ y: '${{ params.z }}' }] } },
          ],
        },
        { file: 'p.ts' },
      ),
    );
    expect(error.message).toBe(
      [
        'invalid pipeline (4 problems):',
        '  concurrency: must be a whole number from 1 to 64, got number 0',
        '  steps[0] (a).argv: must be a non-empty list of strings, got a list',
        "  steps[1] (b).inputs.x: '${{ params.z }}' is inside a list or object; references are allowed only as a whole input value or in a string",
        "  steps[1] (b).module: must be a path relative to the pipeline file ('./…', '../…') or absolute, got 'grid.ts'",
      ].join('\n'),
    );
    expect(error.details.field).toBe('concurrency');
    expect(error.details.problems).toHaveLength(4);
  });

  it('names the file, line and column of a YAML problem', () => {
    const error = failure(() => parsePipelineYaml('name: p\nsteps:\n  - name: a\n    kind: fn\n', 'p.yaml'));
    expect(error.message).toBe('p.yaml:3:5: steps[0] (a).module: required field is missing');
  });

  it('rejects a non-object pipeline and an empty step list', () => {
    expect(failure(() => parsePipeline('steps')).message).toBe(
      'pipeline: must be an object, got string "steps"',
    );
    expect(failure(() => parsePipeline({ name: 'p', steps: [] })).message).toBe(
      'steps: must be a non-empty list of steps, got a list',
    );
  });
});

describe('expressions', () => {
  const context = {
    params: { threshold: 0.85, env: 'prod', deploy: true },
    steps: { evaluate: { auc: 0.9, accuracy: 0.8 } },
    item: 8,
  };
  const evaluate = (source: string) => {
    const ast = parseExpression(source);
    if ('problem' in ast) throw new Error(`${ast.problem} at ${ast.column}`);
    return evaluateExpression(ast as Expression, context);
  };

  it('evaluates comparisons, booleans, literals and paths', () => {
    expect(evaluate('steps.evaluate.outputs.auc >= params.threshold')).toBe(true);
    expect(evaluate("params.env == 'prod' && params.deploy")).toBe(true);
    expect(evaluate('params.env != "prod"')).toBe(false);
    expect(evaluate('item < 10 && item > -1')).toBe(true);
    expect(evaluate('!params.deploy || null == null')).toBe(true);
    expect(evaluate('${{ params.threshold <= 0.85 }}')).toBe(true);
  });

  it('binds && tighter than ||, comparison tighter than &&, and honours parentheses', () => {
    expect(evaluate('true || false && false')).toBe(true);
    expect(evaluate('(true || false) && false')).toBe(false);
    expect(evaluate('!false == true')).toBe(true);
    expect(parseExpression('a.b')).toEqual({
      problem: "'a.b' is not a path such as params.NAME, steps.STEP.outputs.NAME or item",
      column: 1,
    });
  });

  it('short-circuits, so a missing path on the untaken side is not evaluated', () => {
    expect(evaluate('false && params.missing')).toBe(false);
  });

  it('reports parse problems with their column', () => {
    expect(parseExpression('params.x >= ')).toEqual({ problem: "expected a value after '>='", column: 13 });
    expect(parseExpression("params.x == 'open")).toEqual({ problem: 'unterminated string', column: 13 });
    expect(parseExpression('params.x = 1')).toEqual({ problem: "unexpected character '='", column: 10 });
    expect(parseExpression('(true')).toEqual({
      problem: "expected ')' to close the '(' at column 1",
      column: 6,
    });
    expect(parseExpression('true false')).toEqual({ problem: 'unexpected false', column: 6 });
  });

  it('is strict at evaluation: no comparing across types, no missing paths', () => {
    const message = (source: string) => failure(() => evaluate(source)).message;
    expect(message("params.threshold > 'high'")).toBe(
      `expression, column 18: '>' needs two numbers or two strings, got number 0.85 and string "high"`,
    );
    expect(message("params.threshold == '0.85'")).toBe(
      `expression, column 18: cannot compare number 0.85 with string "0.85" using '=='`,
    );
    expect(message('params.missing == 1')).toBe('expression, column 1: params.missing has no value');
    expect(message('steps.train.outputs.auc > 1')).toBe(
      'expression, column 1: steps.train.outputs.auc has no value',
    );
    expect(message('params.threshold && true')).toBe(
      "expression, column 18: '&&' needs booleans, got number 0.85",
    );
  });
});

/**
 * A validated Pipeline back to the shape users write: the wire format of `pipelines apply`. The
 * server parses the spec again, so `parsePipeline(toPipelineSpec(p))` must equal `p` exactly (and
 * so has the same digest). Defaults stay explicit: that costs a few bytes and loses nothing.
 */
import type { PipelineSpec, StepSpec } from './spec-types.js';
import type { InputValue, JsonValue, Pipeline, Reference, Step } from './types.js';

export function toPipelineSpec(pipeline: Pipeline): PipelineSpec {
  return {
    name: pipeline.name,
    ...(pipeline.description === undefined ? {} : { description: pipeline.description }),
    params: pipeline.params,
    ...(pipeline.concurrency === undefined ? {} : { concurrency: pipeline.concurrency }),
    steps: pipeline.steps.map(stepToSpec),
    ...(pipeline.schedules === undefined ? {} : { schedules: pipeline.schedules }),
    ...(pipeline.triggers === undefined ? {} : { triggers: pipeline.triggers }),
  };
}

function stepToSpec(step: Step): StepSpec {
  const common: Record<string, unknown> = {
    name: step.name,
    kind: step.kind,
    inputs: mapValues(step.inputs, inputToSpec),
    after: step.after,
    retries: step.retries,
    cache: step.cache,
    resources: step.resources,
    ...(step.timeoutMs === undefined ? {} : { timeout: step.timeoutMs }),
    ...(step.when === undefined ? {} : { when: step.when.source }),
    ...(step.foreach === undefined
      ? {}
      : {
          foreach: {
            items: inputToSpec(step.foreach.items),
            ...(step.foreach.concurrency === undefined ? {} : { concurrency: step.foreach.concurrency }),
          },
        }),
  };
  switch (step.kind) {
    case 'fn':
      return {
        ...common,
        module: step.module,
        export: step.export,
        outputs: step.outputs,
      } as unknown as StepSpec;
    case 'command':
      return {
        ...common,
        argv: step.argv.map(inputToSpec),
        env: mapValues(step.env, inputToSpec),
        ...(step.cwd === undefined ? {} : { cwd: step.cwd }),
        outputs: step.outputs,
      } as unknown as StepSpec;
    case 'gate':
      // A gate's condition is parsed from `inputs.condition`, not kept among its inputs.
      return { ...common, inputs: { condition: step.condition.source } } as unknown as StepSpec;
    default:
      return common as unknown as StepSpec;
  }
}

/** The text or constant that parses back to `value`. */
export function inputToSpec(value: InputValue): JsonValue {
  if (value.kind === 'const') return value.value;
  if (value.kind === 'ref') return placeholder(value.ref);
  return value.parts.map((part) => (typeof part === 'string' ? part : placeholder(part))).join('');
}

function placeholder(ref: Reference): string {
  return `\${{ ${ref.path} }}`;
}

function mapValues<V, W>(record: Readonly<Record<string, V>>, map: (value: V) => W): Record<string, W> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

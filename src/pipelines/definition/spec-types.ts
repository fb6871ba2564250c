/**
 * The shape users write, typed for `definePipeline` so editors complete kinds, fields and each
 * built-in's inputs. Derived from the built-in table so the two cannot drift apart.
 */
import type { BUILTIN_SCHEMAS } from './builtins.js';
import type { JsonValue, OutputType, ParamSpec } from './types.js';

/** A JSON constant, or a string with `${{ params.x }}`, `${{ steps.s.outputs.o }}` or `${{ item }}`. */
export type InputValueSpec = JsonValue;

export interface RetriesSpec {
  readonly count: number;
  readonly backoffMs?: number;
  readonly factor?: number;
  readonly maxBackoffMs?: number;
}

interface StepCommonSpec {
  readonly name: string;
  readonly after?: readonly string[];
  readonly retries?: RetriesSpec;
  /** "90s", "10m", "2h", or milliseconds. */
  readonly timeout?: string | number;
  readonly cache?: boolean;
  readonly resources?: readonly string[];
  /** An expression over params, step outputs and item, e.g. `params.deploy == true`. */
  readonly when?: string;
  readonly foreach?: { readonly items: InputValueSpec; readonly concurrency?: number };
}

export interface FnStepSpec extends StepCommonSpec {
  readonly kind: 'fn';
  readonly module: string;
  readonly export?: string;
  readonly inputs?: Readonly<Record<string, InputValueSpec>>;
  readonly outputs?: Readonly<Record<string, OutputType>>;
}

export interface CommandStepSpec extends StepCommonSpec {
  readonly kind: 'command';
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string | number | boolean>>;
  readonly cwd?: string;
  readonly inputs?: Readonly<Record<string, InputValueSpec>>;
  readonly outputs?: Readonly<Record<string, OutputType>>;
}

type Schemas = typeof BUILTIN_SCHEMAS;
type InputsOf<K extends keyof Schemas> = {
  readonly [I in keyof Schemas[K]['inputs'] as Schemas[K]['inputs'][I] extends { optional: true }
    ? never
    : I]: Schemas[K]['inputs'][I] extends { type: 'expression' } ? string : InputValueSpec;
} & {
  readonly [I in keyof Schemas[K]['inputs'] as Schemas[K]['inputs'][I] extends { optional: true }
    ? I
    : never]?: InputValueSpec;
};

export type BuiltinStepSpec = {
  [K in keyof Schemas]: StepCommonSpec & { readonly kind: K; readonly inputs: InputsOf<K> };
}[keyof Schemas];

export type StepSpec = FnStepSpec | CommandStepSpec | BuiltinStepSpec;

export interface PipelineSpec {
  readonly name: string;
  readonly description?: string;
  readonly params?: Readonly<Record<string, ParamSpec>>;
  /** Steps of this pipeline that may run at once, 1–64. */
  readonly concurrency?: number;
  readonly steps: readonly StepSpec[];
  /** Cron schedules, e.g. `{ cron: '0 3 * * *', timezone: 'Europe/Paris', params: { … } }`. */
  readonly schedules?: readonly {
    readonly cron: string;
    readonly timezone?: string;
    readonly params?: Readonly<Record<string, JsonValue>>;
  }[];
  /** Runs on new dataset versions: `{ dataset: 'churn-*', param: 'data' }`. */
  readonly triggers?: readonly {
    readonly dataset: string;
    readonly param?: string;
    readonly params?: Readonly<Record<string, JsonValue>>;
  }[];
}

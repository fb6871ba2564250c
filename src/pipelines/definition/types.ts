/**
 * The validated pipeline model: what `parsePipeline` returns and the scheduler will consume. Every
 * default is filled in and every reference is parsed, so later code never re-reads user text.
 */

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export const PARAM_TYPES = ['string', 'number', 'integer', 'boolean', 'list', 'json'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export const OUTPUT_TYPES = [...PARAM_TYPES, 'file', 'dataset', 'model'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

export interface ParamSpec {
  readonly type: ParamType;
  readonly default?: JsonValue;
  readonly description?: string;
}

/** What a `${{ … }}` names. `path` is the text as written, for messages. */
export type Reference =
  | { readonly source: 'param'; readonly name: string; readonly path: string }
  | { readonly source: 'step'; readonly step: string; readonly output: string; readonly path: string }
  | { readonly source: 'item'; readonly path: string };

/** An input parsed once: a constant, exactly one reference (keeps its type), or text with references. */
export type InputValue =
  | { readonly kind: 'const'; readonly value: JsonValue }
  | { readonly kind: 'ref'; readonly ref: Reference }
  | { readonly kind: 'template'; readonly parts: readonly (string | Reference)[] };

export type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

/** `column` is 1-based within the expression's source, for error messages. */
export type Expression =
  | { readonly type: 'literal'; readonly value: string | number | boolean | null; readonly column: number }
  | { readonly type: 'path'; readonly ref: Reference; readonly column: number }
  | { readonly type: 'not'; readonly operand: Expression; readonly column: number }
  | {
      readonly type: 'binary';
      readonly operator: BinaryOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly column: number;
    };

export interface ParsedExpression {
  readonly source: string;
  readonly ast: Expression;
}

export interface RetryPolicy {
  readonly count: number;
  readonly backoffMs: number;
  readonly factor: number;
  readonly maxBackoffMs?: number;
}

export interface Foreach {
  readonly items: InputValue;
  readonly concurrency?: number;
}

export const BUILTIN_KINDS = [
  'dataset.push',
  'dataset.validate',
  'train',
  'model.register',
  'model.evaluate',
  'model.alias',
  'deployment.update',
  'gate',
] as const;
export type BuiltinKind = (typeof BUILTIN_KINDS)[number];
export type StepKind = 'fn' | 'command' | BuiltinKind;

interface StepCommon {
  readonly name: string;
  readonly inputs: Readonly<Record<string, InputValue>>;
  /** Explicit ordering edges, beside those that references imply. */
  readonly after: readonly string[];
  readonly retries: RetryPolicy;
  readonly timeoutMs?: number;
  readonly cache: boolean;
  readonly resources: readonly string[];
  readonly when?: ParsedExpression;
  readonly foreach?: Foreach;
}

export interface FnStep extends StepCommon {
  readonly kind: 'fn';
  /** As written: relative to the pipeline file, or absolute. */
  readonly module: string;
  readonly export: string;
  readonly outputs: Readonly<Record<string, OutputType>>;
}

export interface CommandStep extends StepCommon {
  readonly kind: 'command';
  readonly argv: readonly InputValue[];
  readonly env: Readonly<Record<string, InputValue>>;
  readonly cwd?: string;
  readonly outputs: Readonly<Record<string, OutputType>>;
}

export interface GateStep extends StepCommon {
  readonly kind: 'gate';
  readonly condition: ParsedExpression;
}

export interface BuiltinStep extends StepCommon {
  readonly kind: Exclude<BuiltinKind, 'gate'>;
}

export type Step = FnStep | CommandStep | GateStep | BuiltinStep;

/** A cron schedule: each tick starts a run with these param values (the rest default). */
export interface Schedule {
  readonly cron: string;
  /** IANA time zone the cron expression is read in. */
  readonly timezone: string;
  readonly params: Readonly<Record<string, JsonValue>>;
}

/** Starts a run for each new version of a dataset whose name matches `dataset` (`*`, `?`). */
export interface DatasetTrigger {
  readonly dataset: string;
  /** The param that receives the new version as `name@version`. */
  readonly param?: string;
  readonly params: Readonly<Record<string, JsonValue>>;
}

export interface Pipeline {
  readonly name: string;
  readonly description?: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Steps of this pipeline that may run at once; absent means only the global limit applies. */
  readonly concurrency?: number;
  readonly steps: readonly Step[];
  /** Present when the pipeline has any. */
  readonly schedules?: readonly Schedule[];
  readonly triggers?: readonly DatasetTrigger[];
}

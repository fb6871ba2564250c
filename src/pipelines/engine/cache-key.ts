/**
 * A step's cache key: sha256 over everything that decides its result — the step's definition, its
 * resolved inputs (and, for a command, argv and env), the digests of the artifacts its file inputs
 * name, the params it reads, the digest of its code (an fn step's bundle, a command step's files
 * snapshot) and Slipway's version. Equal keys mean the outputs can be reused.
 */
import { createHash } from 'node:crypto';
import { SLIPWAY_VERSION } from '../../core/version.js';
import { canonicalJson, type JsonValue, type Step } from '../definition/index.js';
import type { PipelineCode } from '../entities.js';

export interface CacheKeyInput {
  readonly step: Step;
  readonly inputs: Readonly<Record<string, JsonValue>>;
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly item?: JsonValue;
  /** Params the step reads, by name. */
  readonly params: Readonly<Record<string, JsonValue>>;
  /** Artifact digests of file inputs, by input name. */
  readonly artifacts: Readonly<Record<string, string>>;
  readonly code: PipelineCode;
}

export function cacheKey(input: CacheKeyInput): string {
  const { step, code } = input;
  const codeDigest =
    step.kind === 'fn'
      ? code.bundles[step.name]?.digest
      : step.kind === 'command'
        ? filesDigest(code)
        : undefined;
  return createHash('sha256')
    .update(
      canonicalJson({
        slipway: SLIPWAY_VERSION,
        step: { ...step, retries: undefined, timeoutMs: undefined, resources: undefined, cache: undefined },
        inputs: input.inputs,
        argv: input.argv,
        env: input.env,
        item: input.item,
        params: input.params,
        artifacts: input.artifacts,
        code: codeDigest,
      }),
    )
    .digest('hex');
}

/** One digest for a version's whole files snapshot (paths and contents). */
export function filesDigest(code: PipelineCode): string {
  return createHash('sha256')
    .update(
      canonicalJson(
        Object.fromEntries(Object.entries(code.files).map(([path, file]) => [path, file.digest])),
      ),
    )
    .digest('hex');
}

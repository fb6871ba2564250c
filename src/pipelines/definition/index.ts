/** The public face of pipeline definitions: parse, validate, order, render and fingerprint. */
export { BUILTIN_SCHEMAS, type BuiltinInputSpec, type BuiltinSchema } from './builtins.js';
export { definePipeline } from './define-pipeline.js';
export { canonicalJson, pipelineDigest } from './digest.js';
export { MAX_TIMEOUT_MS, parseDuration } from './duration.js';
export { type ExpressionContext, evaluateExpression } from './expression-evaluator.js';
export { type ExpressionProblem, parseExpression } from './expression-parser.js';
export { dependenciesOf, downstreamOf, topologicalOrder, upstreamOf } from './graph.js';
export { type PipelineSource, parsePipeline } from './parse-pipeline.js';
export { matchesDatasetPattern } from './parse-schedules.js';
export type { Problem } from './problems.js';
export { renderDag } from './render.js';
export type * from './spec-types.js';
export { type StepReference, stepReferences } from './step-references.js';
export { toPipelineSpec } from './to-spec.js';
export type * from './types.js';
export { BUILTIN_KINDS, OUTPUT_TYPES, PARAM_TYPES } from './types.js';
export { defaultMatches as valueMatchesType } from './value-types.js';
export { parsePipelineYaml } from './yaml.js';

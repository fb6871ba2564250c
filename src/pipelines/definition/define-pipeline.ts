/** The TypeScript front end: typed for autocompletion, validated exactly like YAML. */
import { parsePipeline } from './parse-pipeline.js';
import type { PipelineSpec } from './spec-types.js';
import type { Pipeline } from './types.js';

export function definePipeline(spec: PipelineSpec, source?: { file?: string }): Pipeline {
  return parsePipeline(spec, source);
}

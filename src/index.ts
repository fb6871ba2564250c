/** The `slipway` package: the SDK, plus the pieces for embedding a server. */
export * from './client/index.js';
export { loadServerConfig, type ServerConfig } from './core/config.js';
/** Pipelines in TypeScript: `export default definePipeline({ name, params, steps })`, then `slipway pipelines apply`. */
export {
  definePipeline,
  type PipelineSpec,
  type StepSpec,
} from './pipelines/definition/index.js';
export { type RunningServer, startServer } from './server/start.js';

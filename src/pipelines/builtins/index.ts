/** Built-in pipeline steps: the kinds that wrap Slipway's own services (the engine evaluates `gate`). */
export { runBuiltin } from './run-builtin.js';
export { SIDE_EFFECT_KINDS } from './side-effects.js';
export type { BuiltinDeps, BuiltinInvocation, BuiltinOutputs } from './types.js';
export { ValidationFailedError } from './validation-failed-error.js';

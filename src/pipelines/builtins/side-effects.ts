import type { BuiltinKind } from '../definition/index.js';

/**
 * Kinds whose result must never be reused from the cache: each run changes the world (a new version,
 * an alias move, a deployment revision), so replaying an old output would claim a change not made.
 */
export const SIDE_EFFECT_KINDS: ReadonlySet<BuiltinKind> = new Set<BuiltinKind>([
  'model.register',
  'model.alias',
  'deployment.update',
]);

/**
 * `model.alias` {model, alias} -> {model}: points `alias` at the version `model` names now (a version,
 * another alias, or latest). The registry enforces the model's approval policy; its APPROVAL_REQUIRED
 * fails the step as it is.
 */
import { parseModelReference } from '../../registry/index.js';
import { withInputErrors } from './input-errors.js';
import { checkInputNames, requiredReference, requiredString } from './inputs.js';
import { throwIfAborted } from './signals.js';
import type { BuiltinDeps, BuiltinInvocation, BuiltinOutputs } from './types.js';

export async function modelAlias(invocation: BuiltinInvocation, deps: BuiltinDeps): Promise<BuiltinOutputs> {
  const { inputs, ctx, log, signal } = invocation;
  checkInputNames('model.alias', inputs);
  const model = requiredReference(inputs, 'model', 'model');
  const alias = requiredString(inputs, 'alias');
  const version = await withInputErrors(
    () => deps.registry.versions.resolve(parseModelReference(model, 'inputs.model')),
    {},
    'model',
  );
  throwIfAborted(signal);
  const moved = await withInputErrors(
    () => deps.registry.aliases.set(ctx, version.model, alias, { version: version.version }),
    { alias: 'alias' },
  );
  const reference = `${moved.model}@${moved.version}`;
  log(`${moved.model}@${moved.alias} now points at ${reference}`);
  return { model: reference };
}

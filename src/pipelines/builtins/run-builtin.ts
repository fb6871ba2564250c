/** Runs one built-in step: the kind's function from the one table of them. */
import { datasetPush } from './dataset-push.js';
import { datasetValidate } from './dataset-validate.js';
import { deploymentUpdate } from './deployment-update.js';
import { modelAlias } from './model-alias.js';
import { modelEvaluate } from './model-evaluate.js';
import { modelRegister } from './model-register.js';
import { throwIfAborted } from './signals.js';
import { train } from './train.js';
import type { BuiltinDeps, BuiltinInvocation, BuiltinOutputs } from './types.js';

type Builtin = (invocation: BuiltinInvocation, deps: BuiltinDeps) => Promise<BuiltinOutputs>;

const BUILTINS: Readonly<Record<BuiltinInvocation['kind'], Builtin>> = {
  'dataset.push': datasetPush,
  'dataset.validate': datasetValidate,
  train,
  'model.register': modelRegister,
  'model.evaluate': modelEvaluate,
  'model.alias': modelAlias,
  'deployment.update': deploymentUpdate,
};

export async function runBuiltin(invocation: BuiltinInvocation, deps: BuiltinDeps): Promise<BuiltinOutputs> {
  const run = BUILTINS[invocation.kind];
  // A kind from outside the type system (a stored run from a newer version) is a bug, not a user error.
  if (run === undefined) throw new Error(`'${String(invocation.kind)}' is not a built-in step kind run here`);
  throwIfAborted(invocation.signal);
  return run(invocation, deps);
}

/**
 * `deployment.update` {deployment, routes} -> {revision}: creates the deployment with these routes, or
 * gives an existing one these routes, as a new revision. `routes` takes the REST API's shape:
 * `[{ "model": "churn@champion", "weight": 90 }, { "model": "churn@4" }]` (one route may leave its
 * weight out and take the rest of 100); the serving service checks weights and references.
 */
import { ConflictError, InvalidError, NotFoundError } from '../../core/errors.js';
import type { RouteInput } from '../../serving/index.js';
import type { JsonValue } from '../definition/index.js';
import { withInputErrors } from './input-errors.js';
import { checkInputNames, requiredJson, requiredString, wrongType } from './inputs.js';
import { throwIfAborted } from './signals.js';
import type { BuiltinDeps, BuiltinInvocation, BuiltinOutputs } from './types.js';

const FIELDS = { name: 'deployment', routes: 'routes' };

export async function deploymentUpdate(
  invocation: BuiltinInvocation,
  deps: BuiltinDeps,
): Promise<BuiltinOutputs> {
  const { inputs, ctx, log, signal } = invocation;
  checkInputNames('deployment.update', inputs);
  const name = requiredString(inputs, 'deployment');
  const routes = routesOf(requiredJson(inputs, 'routes'));
  throwIfAborted(signal);
  const { deployments } = deps.serving;
  const deployment = await withInputErrors(async () => {
    const exists = await deployments.get(name).then(
      () => true,
      (error: unknown) => {
        if (error instanceof NotFoundError && error.code === 'DEPLOYMENT_NOT_FOUND') return false;
        throw error;
      },
    );
    if (exists) return deployments.update(ctx, name, { routes });
    // Created meanwhile by someone else: then it is an update after all.
    return deployments.create(ctx, name, { routes }).catch((error: unknown) => {
      if (error instanceof ConflictError && error.code === 'DEPLOYMENT_EXISTS') {
        return deployments.update(ctx, name, { routes });
      }
      throw error;
    });
  }, FIELDS);
  const served = deployment.routes.map((route) => `${route.weight}% ${route.model}@${route.version}`);
  log(`deployment '${deployment.name}' at revision ${deployment.revision}: ${served.join(', ')}`);
  return { revision: deployment.revision };
}

/** The REST API's route objects, checked for shape here so a mistake names the step's input. */
function routesOf(value: JsonValue): RouteInput[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw wrongType('routes', 'a non-empty list of { model, weight? } objects', value);
  }
  return value.map((route: JsonValue, index: number) => {
    const at = `routes[${index}]`;
    if (typeof route !== 'object' || route === null || Array.isArray(route)) {
      throw wrongType(at, 'an object { model, weight? }', route);
    }
    const fields = route as { readonly [key: string]: JsonValue | undefined };
    const unknown = Object.keys(fields).find((key) => key !== 'model' && key !== 'weight');
    if (unknown !== undefined) {
      throw new InvalidError(
        `inputs.${at} has an unknown field '${unknown}'; routes take 'model' and 'weight'`,
        {
          field: `inputs.${at}.${unknown}`,
        },
      );
    }
    const { model, weight } = fields;
    if (typeof model !== 'string')
      throw wrongType(`${at}.model`, 'a model reference such as churn@champion', model ?? null);
    if (weight !== undefined && weight !== null && typeof weight !== 'number') {
      throw wrongType(`${at}.weight`, 'a whole percentage from 0 to 100', weight);
    }
    return typeof weight === 'number' ? { model, weight } : { model };
  });
}

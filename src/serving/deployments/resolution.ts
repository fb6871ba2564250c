/**
 * Resolving a spec's model references to versions, inside the transaction that writes the revision:
 * `churn@champion` is looked up now; `churn@latest` (or a bare `churn`) is pinned to the version it
 * names now, so only real aliases are followed later.
 */
import type { Reference } from '../../core/references.js';
import type { Registry } from '../../registry/index.js';
import type { Executor } from '../../store/index.js';
import type { DeploymentSpec, ResolvedDeployment, ResolvedModel } from './entities.js';
import { normaliseModelReference, referenceText } from './spec.js';

const LATEST = 'latest';

export async function resolveSpec(
  registry: Registry,
  executor: Executor,
  spec: DeploymentSpec,
): Promise<{ spec: DeploymentSpec; resolved: ResolvedDeployment }> {
  const resolve = async (field: string, text: string) => {
    const reference = normaliseModelReference(field, text);
    const version = await registry.versions.resolve(reference, executor);
    const model: ResolvedModel = { model: version.model, version: version.version, digest: version.digest };
    return { reference: pinLatest(reference, version.version), model };
  };
  // One query at a time: they share the transaction's connection.
  const routes = [];
  for (const [i, route] of spec.routes.entries())
    routes.push({ route, ...(await resolve(`routes[${i}].model`, route.model)) });
  const shadow = spec.shadow === null ? null : await resolve('shadow.model', spec.shadow.model);
  return {
    spec: {
      ...spec,
      routes: routes.map(({ route, reference }) => ({ model: reference, weight: route.weight })),
      shadow: spec.shadow === null ? null : { model: shadow!.reference, fraction: spec.shadow.fraction },
    },
    resolved: {
      routes: routes.map(({ route, reference, model }) => ({ ...model, reference, weight: route.weight })),
      shadow:
        spec.shadow === null
          ? null
          : { ...shadow!.model, reference: shadow!.reference, fraction: spec.shadow.fraction },
    },
  };
}

/** Every model version a revision serves (routes and shadow), each once. */
export function servedModels(resolved: ResolvedDeployment): ResolvedModel[] {
  const all = [...resolved.routes, ...(resolved.shadow === null ? [] : [resolved.shadow])];
  const seen = new Map<string, ResolvedModel>();
  for (const { model, version, digest } of all) seen.set(`${model}@${version}`, { model, version, digest });
  return [...seen.values()];
}

function pinLatest(reference: Reference, version: number): string {
  return referenceText(reference.alias === LATEST ? { name: reference.name, version } : reference);
}

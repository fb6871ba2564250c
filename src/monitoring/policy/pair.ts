/**
 * Which routes a policy compares: the champion is the route naming `@champion` (else the route with
 * the most traffic); the challenger is the other route with the most traffic above 0, or, when there
 * is none, the shadow. Also the window: from the oldest revision of the unbroken run of revisions,
 * up to the one evaluated, that served both versions (the revision that brought the challenger in).
 */
import type { Deployment, DeploymentRevision, DeploymentService } from '../../serving/index.js';

export interface Side {
  readonly reference: string;
  readonly model: string;
  readonly version: number;
  readonly weight: number;
  readonly shadow: boolean;
}

export interface Pair {
  readonly champion: Side | null;
  readonly challenger: Side | null;
  /** Why there is nothing to compare. */
  readonly why?: string;
}

const name = (side: Side) => `${side.model}@${side.version}`;

export function pickPair(deployment: Pick<Deployment, 'routes' | 'shadow'>): Pair {
  const routes = deployment.routes.map((r) => ({
    reference: r.reference,
    model: r.model,
    version: r.version,
    weight: r.weight,
    shadow: false,
  }));
  const byWeight = [...routes].sort((a, b) => b.weight - a.weight);
  const champion = routes.find((r) => r.reference.endsWith('@champion')) ?? byWeight[0] ?? null;
  if (champion === null) return { champion: null, challenger: null, why: 'nothing to compare: no routes' };
  const shadow = deployment.shadow;
  const challenger =
    byWeight.find((r) => r !== champion && r.weight > 0) ??
    (shadow === null
      ? null
      : {
          reference: shadow.reference,
          model: shadow.model,
          version: shadow.version,
          weight: 0,
          shadow: true,
        });
  if (challenger === null)
    return {
      champion,
      challenger: null,
      why: `nothing to compare: ${name(champion)} is the only model with traffic and there is no shadow`,
    };
  if (challenger.model === champion.model && challenger.version === champion.version)
    return {
      champion,
      challenger: null,
      why: `nothing to compare: the challenger route ${challenger.reference} serves the champion's version ${name(champion)}`,
    };
  return { champion, challenger };
}

function serves(revision: DeploymentRevision, side: Side, needsTraffic: boolean): boolean {
  if (side.shadow)
    return (
      revision.shadow !== null &&
      revision.shadow.model === side.model &&
      revision.shadow.version === side.version
    );
  return revision.routes.some(
    (r) => r.model === side.model && r.version === side.version && (!needsTraffic || r.weight > 0),
  );
}

/** Epoch ms from which both versions have been served without a break, up to `revision`. */
export async function windowStart(
  deployments: DeploymentService,
  deployment: string,
  revision: number,
  champion: Side,
  challenger: Side,
): Promise<number> {
  let start: number | undefined;
  let pageToken: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page = await deployments.revisions(deployment, {
      limit: 100,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    for (const r of page.items) {
      if (r.revision > revision) continue;
      if (!serves(r, champion, false) || !serves(r, challenger, true)) return start ?? Date.parse(r.at);
      start = Date.parse(r.at);
    }
    if (page.nextPageToken === undefined) break;
    pageToken = page.nextPageToken;
  }
  return start ?? 0;
}

export { name as sideName };

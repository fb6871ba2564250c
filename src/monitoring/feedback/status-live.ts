/**
 * A deployment's status with the live performance of each route's model version (and the shadow's)
 * over a window of labelled predictions. Serving knows nothing of labels, so the HTTP handler merges
 * the two here.
 */
import type { DeploymentStatus, RouteStatus } from '../../serving/index.js';
import type { LiveMetrics } from './feedback-service.js';
import type { LiveMetricValues } from './live-metrics.js';

export interface LiveFigures {
  /** Labelled predictions of this version in the window. */
  readonly samples: number;
  /** Labelled rows left out (label naming no class, unreadable answer). */
  readonly skipped: number;
  readonly metrics: LiveMetricValues;
}

type WithLive<T> = T & { readonly live: LiveFigures };

export interface LiveStatus extends Omit<DeploymentStatus, 'routes' | 'shadow'> {
  /** Live metrics cover predictions made from here (ISO) until now. */
  readonly liveSince: string;
  readonly routes: readonly WithLive<RouteStatus>[];
  readonly shadow: WithLive<NonNullable<DeploymentStatus['shadow']>> | null;
}

export function withLiveMetrics(status: DeploymentStatus, live: LiveMetrics): LiveStatus {
  const figures = (model: string, version: number): LiveFigures => {
    const found = live.versions.find((v) => v.model === model && v.version === version);
    return found === undefined
      ? { samples: 0, skipped: 0, metrics: {} }
      : { samples: found.samples, skipped: found.skipped, metrics: found.metrics };
  };
  return {
    ...status,
    liveSince: new Date(live.since).toISOString(),
    routes: status.routes.map((route) => ({ ...route, live: figures(route.model, route.version) })),
    shadow:
      status.shadow === null
        ? null
        : { ...status.shadow, live: figures(status.shadow.model, status.shadow.version) },
  };
}

/**
 * Picks a route for a request. Weights are cumulative percent bounds; a request lands on the first
 * route whose bound is above its point in [0, 100). Without a routing key the point is random; with
 * one it is a hash of the key (FNV-1a), so a caller keeps its route across requests, restarts and
 * replicas for as long as the weights stay the same.
 */

export interface WeightedRoute {
  /** Cumulative upper bound in percent: the route takes points in [previous bound, upper). */
  readonly upper: number;
  readonly weight: number;
}

/** Routes' cumulative bounds from their weights (which sum to 100). */
export function cumulativeBounds(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((weight) => {
    sum += weight;
    return sum;
  });
}

export function pickRoute<R extends WeightedRoute>(routes: readonly R[], key: string | undefined): R {
  const point = key === undefined ? Math.random() * 100 : stickyPoint(key);
  for (const route of routes) if (point < route.upper && route.weight > 0) return route;
  // Only reached through float rounding at the top: the last route with any weight.
  return routes.findLast((route) => route.weight > 0) ?? routes[0]!;
}

/** A point in [0, 100) from the key's 32-bit FNV-1a hash, in steps of 0.01. */
export function stickyPoint(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % 10_000) / 100;
}

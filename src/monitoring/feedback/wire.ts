/**
 * Live metrics on the wire: values that may be NaN travel as "NaN" (API conventions). The server
 * encodes with these and the SDK decodes with them, so both sides hold plain numbers.
 */
import { fromWireNumber, toWireNumber, type WireNumber } from '../../core/wire.js';
import type { LiveMetricPoint } from './live-metrics.js';
import type { LiveStatus } from './status-live.js';

export type WireMetrics = Readonly<Record<string, WireNumber>>;

export function encodeMetrics(metrics: Readonly<Record<string, number | undefined>>): WireMetrics {
  const out: Record<string, WireNumber> = {};
  for (const [name, value] of Object.entries(metrics))
    if (value !== undefined) out[name] = toWireNumber(value);
  return out;
}

export function decodeMetrics(metrics: WireMetrics): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([name, value]) => [name, fromWireNumber(value)]));
}

export type WirePoint = Omit<LiveMetricPoint, 'value'> & { readonly value: WireNumber };

export function encodePoint(point: LiveMetricPoint): WirePoint {
  return { ...point, value: toWireNumber(point.value) };
}

export function decodePoint(point: WirePoint): LiveMetricPoint {
  return { ...point, value: fromWireNumber(point.value) };
}

type LiveOf<T> = T extends { readonly live: infer L } ? L : never;
type WireLive = Omit<LiveOf<LiveStatus['routes'][number]>, 'metrics'> & { readonly metrics: WireMetrics };
type WireRoute<R> = Omit<R, 'live'> & { readonly live: WireLive };

export type WireLiveStatus = Omit<LiveStatus, 'routes' | 'shadow'> & {
  readonly routes: readonly WireRoute<LiveStatus['routes'][number]>[];
  readonly shadow: WireRoute<NonNullable<LiveStatus['shadow']>> | null;
};

export function encodeStatus(status: LiveStatus): WireLiveStatus {
  return {
    ...status,
    routes: status.routes.map((route) => ({
      ...route,
      live: { ...route.live, metrics: encodeMetrics(route.live.metrics) },
    })),
    shadow:
      status.shadow === null
        ? null
        : {
            ...status.shadow,
            live: { ...status.shadow.live, metrics: encodeMetrics(status.shadow.live.metrics) },
          },
  };
}

export function decodeStatus(status: WireLiveStatus): LiveStatus {
  return {
    ...status,
    routes: status.routes.map((route) => ({
      ...route,
      live: { ...route.live, metrics: decodeMetrics(route.live.metrics) },
    })),
    shadow:
      status.shadow === null
        ? null
        : {
            ...status.shadow,
            live: { ...status.shadow.live, metrics: decodeMetrics(status.shadow.live.metrics) },
          },
  };
}

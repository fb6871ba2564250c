/** The live-performance part of `slipway deployments status`: per route, labelled samples and metrics. */
import type { LiveStatus } from '../../monitoring/feedback/index.js';
import type { DeploymentStatus } from '../../serving/index.js';
import { formatTime, table } from '../format.js';

const SHOWN: readonly (readonly [string, string])[] = [
  ['accuracy', 'ACCURACY'],
  ['precision', 'PRECISION'],
  ['recall', 'RECALL'],
  ['f1', 'F1'],
  ['rocAuc', 'AUC'],
  ['logLoss', 'LOG LOSS'],
  ['rmse', 'RMSE'],
  ['mae', 'MAE'],
  ['r2', 'R2'],
];

function value(metric: number | undefined): string {
  if (metric === undefined) return '-';
  if (Number.isNaN(metric)) return 'n/a';
  return metric.toFixed(Math.abs(metric) >= 100 ? 1 : 3);
}

/** Lines to append to the status, or none when the server sent no live metrics. */
export function describeLive(answer: DeploymentStatus): string[] {
  if (!('liveSince' in answer)) return [];
  const status = answer as LiveStatus;
  const routes = [
    ...status.routes.map((route) => ({ name: route.reference, route })),
    ...(status.shadow === null ? [] : [{ name: `shadow ${status.shadow.reference}`, route: status.shadow }]),
  ];
  const header = `Live performance on labelled predictions since ${formatTime(status.liveSince)}:`;
  if (routes.every(({ route }) => route.live.samples === 0))
    return [header, 'no labelled predictions yet (send labels with slipway feedback)'];
  // Only the metrics some route has, in the usual order.
  const columns = SHOWN.filter(([key]) => routes.some(({ route }) => key in route.live.metrics));
  return [
    header,
    table(
      ['ROUTE', 'VERSION', 'LABELLED', ...columns.map(([, title]) => title)],
      routes.map(({ name, route }) => [
        name,
        `${route.model}@${route.version}`,
        String(route.live.samples),
        ...columns.map(([key]) => value(route.live.metrics[key as keyof typeof route.live.metrics])),
      ]),
    ),
  ];
}

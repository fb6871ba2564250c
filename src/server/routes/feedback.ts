/**
 * /api/v1/deployments/{name}/feedback and /metrics: true labels for logged predictions (by request
 * id or by an id feature), and the hourly time series of live performance per model version.
 */

import {
  FeedbackBody,
  FeedbackResultSchema,
  LiveMetricPage,
  MetricsQuery,
  parseTimeParam,
} from '../../monitoring/feedback/schema.js';
import { encodePoint } from '../../monitoring/feedback/wire.js';
import type { Platform } from '../../platform.js';
import { DeploymentParams } from '../../serving/schema.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const tags = ['deployments'];

export function feedbackRoutes(app: ZodApp, { monitoring }: Platform): void {
  app.post(
    '/api/v1/deployments/:name/feedback',
    {
      config: { role: 'editor' },
      schema: {
        tags,
        summary:
          'True labels for logged predictions, by request id ({ labels: [{ requestId, rowIndex?, label }] }) or by an id feature ({ key, labels: [{ id, label }] }); reports duplicates, unknown ids and late labels',
        params: DeploymentParams,
        body: FeedbackBody,
        response: { 200: FeedbackResultSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => monitoring.feedback.record(contextOf(request), request.params.name, request.body),
  );

  app.get(
    '/api/v1/deployments/:name/metrics',
    {
      schema: {
        tags,
        summary:
          'Live performance per model version and hour of prediction time (accuracy, precision, recall, f1, rocAuc, logLoss; rmse, mae, r2)',
        params: DeploymentParams,
        querystring: MetricsQuery,
        response: { 200: LiveMetricPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { since, until, model, metric } = request.query;
      const sinceMs = parseTimeParam('since', since);
      const untilMs = parseTimeParam('until', until);
      const series = await monitoring.feedback.series(request.params.name, {
        ...(sinceMs === undefined ? {} : { since: sinceMs }),
        ...(untilMs === undefined ? {} : { until: untilMs }),
        ...(model === undefined ? {} : { model }),
        ...(metric === undefined ? {} : { metric }),
      });
      return { deployment: series.deployment, items: series.items.map(encodePoint) };
    },
  );
}

/** /api/v1/automl: start AutoML jobs (asynchronous: 202 and the job), follow, list and cancel them. */
import type { Platform } from '../../platform.js';
import {
  AutomlJobPage,
  AutomlJobParams,
  AutomlJobSchema,
  ListAutomlJobsQuery,
  StartAutomlBody,
} from '../../training/schema.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

export function automlRoutes(app: ZodApp, { training }: Platform): void {
  app.post(
    '/api/v1/automl',
    {
      schema: {
        tags: ['automl'],
        summary:
          'Start an AutoML job on a dataset version; the data and options are checked first, then the search runs in the background',
        body: StartAutomlBody,
        response: { 202: AutomlJobSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return training.automl.start(contextOf(request), request.body);
    },
  );

  app.get(
    '/api/v1/automl',
    {
      schema: {
        tags: ['automl'],
        summary: 'AutoML jobs, newest first',
        querystring: ListAutomlJobsQuery,
        response: { 200: AutomlJobPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => training.automl.list(request.query),
  );

  app.get(
    '/api/v1/automl/:id',
    {
      schema: {
        tags: ['automl'],
        summary: 'An AutoML job: status, progress, and once done the leaderboard, holdout metrics and model',
        params: AutomlJobParams,
        response: { 200: AutomlJobSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => training.automl.get(request.params.id),
  );

  app.post(
    '/api/v1/automl/:id/cancel',
    {
      schema: {
        tags: ['automl'],
        summary: 'Cancel a queued or running AutoML job (a finished job is answered as it is)',
        params: AutomlJobParams,
        response: { 200: AutomlJobSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => training.automl.cancel(contextOf(request), request.params.id),
  );
}

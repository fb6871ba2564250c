/** /api/v1/lineage, and /api/v1/runs/{id}/inputs which records dataset -> run edges */
import { z } from 'zod';
import { LogRunInputsBody, RunInputsSchema } from '../../data/schema.js';
import { LineageGraphSchema, LineageQuerySchema } from '../../lineage/schema.js';
import type { Platform } from '../../platform.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

export function lineageRoutes(app: ZodApp, { lineage, runInputs }: Platform): void {
  app.get(
    '/api/v1/lineage',
    {
      schema: {
        tags: ['lineage'],
        summary: 'The lineage graph around a dataset version, run or model version',
        querystring: LineageQuerySchema,
        response: { 200: LineageGraphSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => lineage.walk(request.query),
  );

  app.post(
    '/api/v1/runs/:id/inputs',
    {
      schema: {
        tags: ['runs', 'lineage'],
        summary: 'Record the dataset versions a run read (lineage edges dataset -> run)',
        params: z.object({ id: z.string().describe('Run id') }),
        body: LogRunInputsBody,
        response: { 200: RunInputsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => runInputs.log(contextOf(request), request.params.id, request.body.datasets),
  );
}

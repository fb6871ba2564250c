/** /api/v1/drift: ad hoc drift comparison of two dataset versions (viewers may run it: it only reads). */
import {
  compareRequestOf,
  DriftCompareBody,
  DriftComparisonSchema,
  toWireComparison,
} from '../../monitoring/schema.js';
import type { Platform } from '../../platform.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const tags = ['monitoring'];

export function driftRoutes(app: ZodApp, platform: Platform): void {
  app.post(
    '/api/v1/drift/compare',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary:
          'Drift report of a current dataset version against a reference: per-column tests (Evidently defaults), optional MMD, dataset verdict',
        body: DriftCompareBody,
        response: { 200: DriftComparisonSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => toWireComparison(await platform.monitoring.compare(compareRequestOf(request.body))),
  );
}

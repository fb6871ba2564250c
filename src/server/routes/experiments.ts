/** /api/v1/experiments */
import { z } from 'zod';
import type { Platform } from '../../platform.js';
import {
  CreateExperimentBody,
  ExperimentPage,
  ExperimentSchema,
  ListExperimentsQuery,
  UpdateExperimentBody,
} from '../../tracking/schema.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const IdOrName = z.object({ idOrName: z.string().describe('Experiment id or name') });
const tags = ['experiments'];

export function experimentRoutes(app: ZodApp, { tracking }: Platform): void {
  const experiments = tracking.experiments;

  app.post(
    '/api/v1/experiments',
    {
      schema: {
        tags,
        summary: 'Create an experiment',
        body: CreateExperimentBody,
        response: { 201: ExperimentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await experiments.create(contextOf(request), request.body)),
  );

  app.get(
    '/api/v1/experiments',
    {
      schema: {
        tags,
        summary: 'List experiments, newest first',
        querystring: ListExperimentsQuery,
        response: { 200: ExperimentPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => experiments.list(request.query),
  );

  app.get(
    '/api/v1/experiments/:idOrName',
    {
      schema: {
        tags,
        summary: 'Get an experiment by id or name',
        params: IdOrName,
        response: { 200: ExperimentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => experiments.get(request.params.idOrName),
  );

  app.patch(
    '/api/v1/experiments/:idOrName',
    {
      schema: {
        tags,
        summary: 'Rename an experiment or change its description and tags',
        params: IdOrName,
        body: UpdateExperimentBody,
        response: { 200: ExperimentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => experiments.update(contextOf(request), request.params.idOrName, request.body),
  );

  app.delete(
    '/api/v1/experiments/:idOrName',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Soft-delete an experiment (admin)',
        params: IdOrName,
        response: { 200: ExperimentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => experiments.delete(contextOf(request), request.params.idOrName),
  );

  app.post(
    '/api/v1/experiments/:idOrName/restore',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Restore a deleted experiment (admin)',
        params: IdOrName,
        response: { 200: ExperimentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => experiments.restore(contextOf(request), request.params.idOrName),
  );
}

/**
 * /api/v1/models: models (create, list, get, update, delete, restore, policy); their versions are in
 * model-versions.ts and their aliases in model-aliases.ts, registered from here in that order.
 */
import type { Platform } from '../../platform.js';
import {
  CreateModelBody,
  ListModelsQuery,
  ModelDetailsSchema,
  ModelPage,
  ModelParams,
  ModelSchema,
  PolicyBody,
  UpdateModelBody,
} from '../../registry/schema.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';
import { modelAliasRoutes } from './model-aliases.js';
import { modelVersionRoutes } from './model-versions.js';

const tags = ['models'];

export function modelRoutes(app: ZodApp, platform: Platform): void {
  const { models } = platform.registry;

  app.post(
    '/api/v1/models',
    {
      schema: {
        tags,
        summary: 'Create a model (registering a version also creates it)',
        body: CreateModelBody,
        response: { 201: ModelSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => reply.code(201).send(await models.create(contextOf(request), request.body)),
  );

  app.get(
    '/api/v1/models',
    {
      schema: {
        tags,
        summary: 'List models, newest first',
        querystring: ListModelsQuery,
        response: { 200: ModelPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => models.list(request.query),
  );

  app.get(
    '/api/v1/models/:name',
    {
      schema: {
        tags,
        summary: 'Get a model with its newest version and its aliases',
        params: ModelParams,
        response: { 200: ModelDetailsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => models.get(request.params.name),
  );

  app.patch(
    '/api/v1/models/:name',
    {
      schema: {
        tags,
        summary: "Change a model's description or tags",
        params: ModelParams,
        body: UpdateModelBody,
        response: { 200: ModelSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => models.update(contextOf(request), request.params.name, request.body),
  );

  app.delete(
    '/api/v1/models/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Soft-delete a model (admin)',
        params: ModelParams,
        response: { 200: ModelSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => models.delete(contextOf(request), request.params.name),
  );

  app.post(
    '/api/v1/models/:name/restore',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Restore a deleted model (admin)',
        params: ModelParams,
        response: { 200: ModelSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => models.restore(contextOf(request), request.params.name),
  );

  app.put(
    '/api/v1/models/:name/policy',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: "Set the model's policy, e.g. which aliases need approved versions (admin)",
        params: ModelParams,
        body: PolicyBody,
        response: { 200: ModelSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => models.setPolicy(contextOf(request), request.params.name, request.body),
  );

  modelVersionRoutes(app, platform);
  modelAliasRoutes(app, platform);
}

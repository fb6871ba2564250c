/** /api/v1/deployments: create, read, change (compare-and-set revisions) and roll back deployments. */
import type { Platform } from '../../platform.js';
import {
  CreateDeploymentBody,
  DeleteDeploymentQuery,
  DeploymentList,
  DeploymentParams,
  DeploymentRevisionPage,
  DeploymentRevisionSchema,
  DeploymentSchema,
  ListRevisionsQuery,
  RevisionParams,
  RollbackDeploymentBody,
  UpdateDeploymentBody,
} from '../../serving/schema.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const tags = ['deployments'];

export function deploymentRoutes(app: ZodApp, { serving }: Platform): void {
  const deployments = serving.deployments;

  app.post(
    '/api/v1/deployments',
    {
      schema: {
        tags,
        summary:
          'Create a deployment: routes to model versions or aliases by weight, optional shadow, sticky routing and batching',
        body: CreateDeploymentBody,
        response: { 201: DeploymentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { name, ...input } = request.body;
      const deployment = await deployments.create(contextOf(request), name, input);
      reply.code(201);
      return deployment;
    },
  );

  app.get(
    '/api/v1/deployments',
    {
      schema: {
        tags,
        summary: 'Every deployment, by name',
        response: { 200: DeploymentList, ...ERROR_RESPONSES },
      },
    },
    async () => ({ items: await deployments.list() }),
  );

  app.get(
    '/api/v1/deployments/:name',
    {
      schema: {
        tags,
        summary: 'A deployment: its current revision and the model version behind every route',
        params: DeploymentParams,
        response: { 200: DeploymentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => deployments.get(request.params.name),
  );

  app.patch(
    '/api/v1/deployments/:name',
    {
      schema: {
        tags,
        summary:
          'Change routes, weights, shadow, routing key or batching: a new revision (compare-and-set with expectedRevision)',
        params: DeploymentParams,
        body: UpdateDeploymentBody,
        response: { 200: DeploymentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => deployments.update(contextOf(request), request.params.name, request.body),
  );

  app.delete(
    '/api/v1/deployments/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary:
          'Delete a deployment and its revisions (admin); servers stop serving it within a second. Answers what it served',
        params: DeploymentParams,
        querystring: DeleteDeploymentQuery,
        response: { 200: DeploymentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => deployments.delete(contextOf(request), request.params.name, request.query),
  );

  app.get(
    '/api/v1/deployments/:name/revisions',
    {
      schema: {
        tags,
        summary: 'The revisions of a deployment, newest first: who changed what, when and why',
        params: DeploymentParams,
        querystring: ListRevisionsQuery,
        response: { 200: DeploymentRevisionPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => deployments.revisions(request.params.name, request.query),
  );

  app.get(
    '/api/v1/deployments/:name/revisions/:revision',
    {
      schema: {
        tags,
        summary: 'One revision of a deployment',
        params: RevisionParams,
        response: { 200: DeploymentRevisionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => deployments.revision(request.params.name, request.params.revision),
  );

  app.post(
    '/api/v1/deployments/:name/rollback',
    {
      schema: {
        tags,
        summary:
          'Serve again the model versions of an earlier revision (default: the one before the current), as a new revision',
        params: DeploymentParams,
        body: RollbackDeploymentBody,
        response: { 200: DeploymentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => deployments.rollback(contextOf(request), request.params.name, request.body ?? {}),
  );
}

/**
 * /api/v1/deployments/{name}/policy and /decisions: a deployment's champion/challenger policy, an
 * evaluation now, and the decisions it made.
 */
import {
  DecisionPage,
  DecisionSchema,
  DecisionsQuery,
  PolicyBody,
  PolicySchema,
} from '../../monitoring/policy/schema.js';
import type { Platform } from '../../platform.js';
import { DeploymentParams } from '../../serving/schema.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const tags = ['deployments'];

export function policyRoutes(app: ZodApp, { monitoring }: Platform): void {
  const { policies } = monitoring;

  app.put(
    '/api/v1/deployments/:name/policy',
    {
      schema: {
        tags,
        summary: 'Create or replace the deployment’s champion/challenger policy',
        params: DeploymentParams,
        body: PolicyBody,
        response: { 200: PolicySchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => policies.set(contextOf(request), request.params.name, request.body),
  );

  app.get(
    '/api/v1/deployments/:name/policy',
    {
      schema: {
        tags,
        summary: 'The deployment’s policy (404 POLICY_NOT_FOUND when it has none)',
        params: DeploymentParams,
        response: { 200: PolicySchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => policies.get(request.params.name),
  );

  app.delete(
    '/api/v1/deployments/:name/policy',
    {
      config: { role: 'editor' },
      schema: {
        tags,
        summary: 'Delete the deployment’s policy (its decisions are kept)',
        params: DeploymentParams,
        response: { 200: PolicySchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => policies.delete(contextOf(request), request.params.name),
  );

  app.post(
    '/api/v1/deployments/:name/policy/evaluate',
    {
      schema: {
        tags,
        summary: 'Evaluate the policy now: answers the decision (stored and audited), after acting on it',
        params: DeploymentParams,
        response: { 200: DecisionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => policies.evaluate(contextOf(request), request.params.name),
  );

  app.get(
    '/api/v1/deployments/:name/decisions',
    {
      schema: {
        tags,
        summary: 'Decisions of the deployment’s policy, newest first',
        params: DeploymentParams,
        querystring: DecisionsQuery,
        response: { 200: DecisionPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => policies.decisions(request.params.name, request.query),
  );
}

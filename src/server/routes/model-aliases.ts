/** /api/v1/models/{name}/aliases: compare-and-set moves, history and rollback. */
import type { Platform } from '../../platform.js';
import type { ExpectedInput } from '../../registry/index.js';
import {
  AliasHistoryPage,
  AliasParams,
  ExpectedQuery,
  ListVersionsQuery,
  ModelAliasList,
  ModelAliasSchema,
  ModelParams,
  RollbackBody,
  SetAliasBody,
} from '../../registry/schema.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const tags = ['model aliases'];

export function modelAliasRoutes(app: ZodApp, { registry }: Platform): void {
  const aliases = registry.aliases;

  app.get(
    '/api/v1/models/:name/aliases',
    {
      schema: {
        tags,
        summary: "A model's aliases and the versions they point at",
        params: ModelParams,
        response: { 200: ModelAliasList, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ items: await aliases.list(request.params.name) }),
  );

  app.get(
    '/api/v1/models/:name/aliases/:alias',
    {
      schema: {
        tags,
        summary: 'Where an alias points',
        params: AliasParams,
        response: { 200: ModelAliasSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => aliases.get(request.params.name, request.params.alias),
  );

  app.put(
    '/api/v1/models/:name/aliases/:alias',
    {
      schema: {
        tags,
        summary:
          'Point an alias at a version; with expectedVersion a compare-and-set (409 ALIAS_CONFLICT with details.currentVersion)',
        params: AliasParams,
        body: SetAliasBody,
        response: { 200: ModelAliasSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { version, expectedVersion } = request.body;
      return aliases.set(contextOf(request), request.params.name, request.params.alias, {
        version,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
      });
    },
  );

  app.delete(
    '/api/v1/models/:name/aliases/:alias',
    {
      schema: {
        tags,
        summary: 'Delete an alias (optionally compare-and-set with ?expectedVersion=)',
        params: AliasParams,
        querystring: ExpectedQuery,
        response: { 200: ModelAliasSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      aliases.delete(
        contextOf(request),
        request.params.name,
        request.params.alias,
        expected(request.query.expectedVersion),
      ),
  );

  app.get(
    '/api/v1/models/:name/aliases/:alias/history',
    {
      schema: {
        tags,
        summary: 'Every move of an alias, newest first',
        params: AliasParams,
        querystring: ListVersionsQuery,
        response: { 200: AliasHistoryPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => aliases.history(request.params.name, request.params.alias, request.query),
  );

  app.post(
    '/api/v1/models/:name/aliases/:alias/rollback',
    {
      schema: {
        tags,
        summary: 'Move an alias back to the version it pointed at before its latest move',
        params: AliasParams,
        body: RollbackBody,
        response: { 200: ModelAliasSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      aliases.rollback(
        contextOf(request),
        request.params.name,
        request.params.alias,
        expected(request.body?.expectedVersion),
      ),
  );
}

/** The compare-and-set condition, when the client named the version it expects. */
function expected(expectedVersion: number | undefined): ExpectedInput {
  return expectedVersion === undefined ? {} : { expectedVersion };
}

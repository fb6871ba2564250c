/**
 * /api/v1/datasets: push (raw body, streamed to a scratch file, never buffered), list, describe,
 * tag, versions, profiles, row previews and verified downloads.
 */
import { z } from 'zod';
import type { DatasetVersion } from '../../data/index.js';
import {
  DatasetPage,
  DatasetProfileSchema,
  DatasetSchema,
  DatasetVersionPage,
  DatasetVersionSchema,
  DownloadQuery,
  ListQuery,
  PushQuery,
  RowsPageSchema,
  RowsQuery,
  UpdateBody,
} from '../../data/schema.js';
import type { Platform } from '../../platform.js';
import { rawBodyRoutes, verifiedPayload, withRequestBody } from '../raw-bytes.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const NameParams = z.object({ name: z.string().describe('Dataset name') });
const VersionParams = NameParams.extend({
  version: z.string().describe("Version number, or 'latest'"),
});
const tags = ['datasets'];

export function datasetRoutes(app: ZodApp, { datasets }: Platform): void {
  const service = datasets.datasets;

  rawBodyRoutes(app, (raw) => {
    raw.put(
      '/api/v1/datasets/:name/versions',
      {
        schema: {
          tags,
          summary:
            'Push a file (raw body) as a new version; the dataset is created on first push. 201 for a new version, 200 when these bytes are already a version',
          params: NameParams,
          querystring: PushQuery,
          response: { 200: DatasetVersionSchema, 201: DatasetVersionSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { format, description, derivedFrom, run } = request.query;
        // Streamed into a scratch file while hashing.
        const result = await withRequestBody(request.raw, (body) =>
          datasets.push(
            contextOf(request),
            {
              name: request.params.name,
              format,
              ...(description === undefined ? {} : { description }),
              ...(derivedFrom === undefined ? {} : { derivedFrom }),
              ...(run === undefined ? {} : { run }),
            },
            body,
          ),
        );
        return reply.code(result.created ? 201 : 200).send(result.version);
      },
    );
  });

  app.get(
    '/api/v1/datasets',
    {
      schema: {
        tags,
        summary: 'List datasets, newest first',
        querystring: ListQuery,
        response: { 200: DatasetPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => service.list(request.query),
  );

  app.get(
    '/api/v1/datasets/:name',
    {
      schema: {
        tags,
        summary: 'Describe a dataset: description, tags, latest version',
        params: NameParams,
        response: { 200: DatasetSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => service.get(request.params.name),
  );

  app.patch(
    '/api/v1/datasets/:name',
    {
      schema: {
        tags,
        summary: "Change a dataset's description or tags",
        params: NameParams,
        body: UpdateBody,
        response: { 200: DatasetSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => service.update(contextOf(request), request.params.name, request.body),
  );

  app.get(
    '/api/v1/datasets/:name/versions',
    {
      schema: {
        tags,
        summary: "List a dataset's versions, newest first",
        params: NameParams,
        querystring: ListQuery,
        response: { 200: DatasetVersionPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => service.versions(request.params.name, request.query),
  );

  app.get(
    '/api/v1/datasets/:name/versions/:version',
    {
      schema: {
        tags,
        summary: 'Get a version (a number, or latest) with its schema',
        params: VersionParams,
        response: { 200: DatasetVersionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => service.version(request.params.name, request.params.version),
  );

  app.patch(
    '/api/v1/datasets/:name/versions/:version',
    {
      schema: {
        tags,
        summary: "Change a version's description or tags (its data never changes)",
        params: VersionParams,
        body: UpdateBody,
        response: { 200: DatasetVersionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      service.updateVersion(contextOf(request), request.params.name, request.params.version, request.body),
  );

  app.get(
    '/api/v1/datasets/:name/versions/:version/profile',
    {
      schema: {
        tags,
        summary:
          "A version's profile: per column counts, nulls, distinct, statistics, histogram or top values",
        params: VersionParams,
        response: { 200: DatasetProfileSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => service.profile(request.params.name, request.params.version),
  );

  app.get(
    '/api/v1/datasets/:name/versions/:version/rows',
    {
      schema: {
        tags,
        summary: 'Preview rows as JSON objects (limit default 100, at most 1000)',
        params: VersionParams,
        querystring: RowsQuery,
        response: { 200: RowsPageSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => service.rows(request.params.name, request.params.version, request.query),
  );

  app.get(
    '/api/v1/datasets/:name/versions/:version/download',
    {
      schema: {
        tags,
        summary:
          'Download the bytes as pushed (form=parquet: the stored Parquet), verified against their sha256',
        params: VersionParams,
        querystring: DownloadQuery,
      },
    },
    async (request, reply) => {
      const download = await service.download(
        request.params.name,
        request.params.version,
        request.query.form,
      );
      reply
        .header('content-type', download.contentType)
        .header('content-disposition', `attachment; filename="${download.fileName}"`)
        .header('x-content-sha256', download.digest)
        .header('etag', `"sha256:${download.digest}"`)
        .header('x-dataset-version', versionHeader(download.version))
        .header('content-length', String(download.size));
      return reply.send(await verifiedPayload(download.stream, download.size));
    },
  );
}

function versionHeader(version: DatasetVersion): string {
  return `${version.dataset}@${version.version}`;
}

/**
 * /api/v1/datasets/{name}/diff and …/versions/{version}/validate|validations: comparing versions and
 * checking them against validation suites. Suites arrive as JSON, or as YAML text (application/yaml,
 * text/yaml), which this plugin's own body parser hands over unparsed.
 */
import { z } from 'zod';
import { PageQuerySchema } from '../../core/wire.js';
import { DatasetDiffSchema, DiffQuery } from '../../data/diff-schema.js';
import { SuiteBody, ValidationReportPage, ValidationReportSchema } from '../../data/validation/schema.js';
import { parseSuite, parseSuiteText } from '../../data/validation/suite.js';
import type { Platform } from '../../platform.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const tags = ['datasets'];

const NameParams = z.object({ name: z.string().describe('Dataset name') });
const VersionParams = z.object({
  name: z.string().describe('Dataset name'),
  version: z.string().describe("Version number, or 'latest'"),
});
const ReportParams = VersionParams.extend({ id: z.string().describe('Validation report id') });
const ListQuery = PageQuerySchema.strict();

const referenceOf = (params: { name: string; version: string }) => `${params.name}@${params.version}`;

export function datasetCheckRoutes(app: ZodApp, { datasets }: Platform): void {
  const { diff, validation } = datasets;

  app.get(
    '/api/v1/datasets/:name/diff',
    {
      schema: {
        tags,
        summary: 'Compare two dataset versions: schema changes, row counts and per-column shifts (PSI)',
        params: NameParams,
        querystring: DiffQuery,
        response: { 200: DatasetDiffSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => diff.diff(request.params.name, request.query.from, request.query.to),
  );

  app.register(async (scope) => {
    const yaml = scope as unknown as ZodApp;
    yaml.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

    yaml.post(
      '/api/v1/datasets/:name/versions/:version/validate',
      {
        schema: {
          tags,
          summary: 'Run a validation suite (JSON or YAML) against a version and store the report',
          params: VersionParams,
          body: SuiteBody,
          response: { 201: ValidationReportSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const suite =
          YAML_TYPES.includes(type) && typeof request.body === 'string'
            ? parseSuiteText(request.body)
            : parseSuite(request.body);
        const report = await validation.validate(contextOf(request), referenceOf(request.params), suite);
        return reply.code(201).send(report);
      },
    );
  });

  app.get(
    '/api/v1/datasets/:name/versions/:version/validations',
    {
      schema: {
        tags,
        summary: "A version's validation reports, newest first",
        params: VersionParams,
        querystring: ListQuery,
        response: { 200: ValidationReportPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => validation.list(referenceOf(request.params), request.query),
  );

  app.get(
    '/api/v1/datasets/:name/versions/:version/validations/:id',
    {
      schema: {
        tags,
        summary: 'One validation report',
        params: ReportParams,
        response: { 200: ValidationReportSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => validation.get(referenceOf(request.params), request.params.id),
  );
}

/**
 * One request arbitrary per mutating route of the API, grouped as the fuzz test runs them: random
 * auth, request ids, idempotency keys, path parameters and bodies (see fuzz-inputs.ts). The groups
 * of datasets are in fuzz-data-routes.ts, those of the model registry and lineage in
 * fuzz-registry-routes.ts.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { RawRequest } from '../support/raw-http.js';
import { datasetRouteGroups } from './fuzz-data-routes.js';
import {
  anyJson,
  anyString,
  artifactPathLike,
  type BodyCase,
  bodyCase,
  type FieldSpec,
  keyLike,
  nameLike,
  numberLike,
  segmentLike,
  shortText,
  stringMap,
  validKey,
  validName,
} from './fuzz-inputs.js';
import { registryRouteGroups } from './fuzz-registry-routes.js';

export interface FuzzRequest extends RawRequest {
  readonly label: string;
}

/** What the fuzzer may aim at; none of it belongs to the fixture. */
export interface Targets {
  readonly experimentId: string;
  readonly experimentName: string;
  readonly runId: string;
  readonly tokenName: string;
  readonly adminToken: string;
  readonly viewerToken: string;
  /** Largest artifact the server accepts (SLIPWAY_MAX_ARTIFACT_BYTES). */
  readonly artifactLimit: number;
  /** A dataset with versions 1 and 2 (2 derived from 1). */
  readonly datasetName: string;
  readonly datasetColumns: readonly string[];
  /** Its version 1 in the stored Parquet form: a Parquet file the server reads. */
  readonly parquet: Buffer;
  /** A model with versions 1 and 2, and the alias champion at 1. */
  readonly modelName: string;
  /** Valid ONNX files, each with one [N, 2] input. */
  readonly onnx: readonly Buffer[];
  /** `runs/<runId>/artifacts/<path>` of a valid ONNX file under the target run. */
  readonly modelSource: string;
}

type Method = RawRequest['method'];

const isoLike = fc.oneof(
  fc
    .date({ min: new Date('1960-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  anyString,
);

export function routeGroups(targets: Targets): Readonly<Record<string, fc.Arbitrary<FuzzRequest>>> {
  const experimentRef = fc.oneof(
    { arbitrary: fc.constantFrom(targets.experimentId, targets.experimentName), weight: 3 },
    { arbitrary: nameLike, weight: 1 },
  );
  const experimentSegment = segmentLike([targets.experimentId, targets.experimentName]);
  const runSegment = segmentLike([targets.runId]);
  const tokenSegment = segmentLike([targets.tokenName]);
  const common = commonHeaders(targets);

  const json = (
    method: Method,
    path: fc.Arbitrary<string>,
    fields: FieldSpec,
    valid: fc.Arbitrary<unknown> = fc.constant(undefined),
  ): fc.Arbitrary<FuzzRequest> =>
    fc
      .tuple(path, bodyCase(fields, valid), common)
      .map(([p, body, headers]) => build(method, p, body, headers));
  const some = <T>(record: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(record, { requiredKeys: [] });
  const validExperiment = fc.constantFrom(targets.experimentId, targets.experimentName);
  const futureIso = fc
    .date({ min: new Date('2100-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString());
  const pastIso = fc
    .date({ min: new Date('2000-01-01'), max: new Date('2020-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString());
  const validParam = fc.oneof(
    shortText,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
  );
  const validPoint = fc.record(
    {
      key: fc.constantFrom('loss', 'acc', 'train/loss'),
      value: fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom('NaN', 'Infinity', '-Infinity'),
      ),
      step: fc.integer({ min: -10, max: 1_000_000 }),
      timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    },
    { requiredKeys: ['key', 'value'] },
  );

  const experimentFields: FieldSpec = {
    name: nameLike,
    description: anyString,
    tags: stringMap(anyString),
  };
  const experiments = fc.oneof(
    json(
      'POST',
      fc.constant('/api/v1/experiments'),
      experimentFields,
      fc.record(
        { name: validName, description: shortText, tags: fc.dictionary(validKey, shortText, { maxKeys: 3 }) },
        { requiredKeys: ['name'] },
      ),
    ),
    json(
      'PATCH',
      experimentSegment.map((s) => `/api/v1/experiments/${s}`),
      { ...experimentFields, tags: stringMap(fc.option(anyString, { nil: null })) },
      some({
        name: validName,
        description: shortText,
        tags: fc.dictionary(validKey, fc.option(shortText, { nil: null }), { maxKeys: 3 }),
      }),
    ),
    json(
      'DELETE',
      experimentSegment.map((s) => `/api/v1/experiments/${s}`),
      {},
    ),
    json(
      'POST',
      experimentSegment.map((s) => `/api/v1/experiments/${s}/restore`),
      {},
    ),
  );

  const paramValue = fc.oneof(anyString, numberLike, fc.boolean());
  const runs = fc.oneof(
    json(
      'POST',
      fc.constant('/api/v1/runs'),
      {
        experiment: experimentRef,
        name: anyString,
        params: stringMap(paramValue),
        tags: stringMap(anyString),
        parentRunId: fc.oneof(fc.constant(targets.runId), fc.ulid(), anyString),
        gitCommit: fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{7,64}$/), anyString),
        startTime: isoLike,
      },
      fc.record(
        {
          experiment: validExperiment,
          name: fc.stringMatching(/^[a-z][a-z -]{0,20}$/),
          params: fc.dictionary(validKey, validParam, { maxKeys: 4 }),
          tags: fc.dictionary(validKey, shortText, { maxKeys: 3 }),
          parentRunId: fc.constant(targets.runId),
          gitCommit: fc.stringMatching(/^[0-9a-f]{7,40}$/),
          startTime: pastIso,
        },
        { requiredKeys: ['experiment'] },
      ),
    ),
    json(
      'PATCH',
      runSegment.map((s) => `/api/v1/runs/${s}`),
      {
        status: fc.oneof(fc.constantFrom('running', 'finished', 'failed', 'killed'), anyString),
        name: anyString,
        endTime: isoLike,
      },
      some({
        status: fc.constantFrom('running', 'finished', 'failed', 'killed'),
        name: fc.stringMatching(/^[a-z][a-z -]{0,20}$/),
        endTime: futureIso,
      }),
    ),
  );

  const point = fc.oneof(
    {
      arbitrary: fc.record(
        {
          key: fc.constantFrom('loss', 'acc', 'train/loss'),
          value: fc.double({ noDefaultInfinity: true, noNaN: true }),
          step: fc.integer({ min: 0, max: 1_000_000 }),
        },
        { requiredKeys: ['key', 'value'] },
      ),
      weight: 3,
    },
    {
      arbitrary: fc.record(
        { key: keyLike, value: numberLike, step: numberLike, timestamp: numberLike },
        { requiredKeys: [] },
      ),
      weight: 2,
    },
    { arbitrary: anyJson, weight: 1 },
  );
  const runData = fc.oneof(
    json(
      'POST',
      runSegment.map((s) => `/api/v1/runs/${s}/params`),
      { params: stringMap(paramValue) },
      fc.record({ params: fc.dictionary(validKey, validParam, { maxKeys: 4 }) }),
    ),
    json(
      'POST',
      runSegment.map((s) => `/api/v1/runs/${s}/tags`),
      { tags: stringMap(fc.option(anyString, { nil: null })) },
      fc.record({ tags: fc.dictionary(validKey, fc.option(shortText, { nil: null }), { maxKeys: 4 }) }),
    ),
    json(
      'POST',
      runSegment.map((s) => `/api/v1/runs/${s}/metrics`),
      { metrics: fc.array(point, { maxLength: 30 }) },
      fc.record({ metrics: fc.array(validPoint, { maxLength: 50 }) }),
    ),
  );

  const search = fc.oneof(
    {
      arbitrary: json(
        'POST',
        fc.constant('/api/v1/runs/search'),
        {
          experiments: fc.array(experimentRef, { maxLength: 3 }),
          filter: fc.oneof(filterLike, anyString),
          orderBy: fc.array(fc.oneof(orderLike, anyString), { maxLength: 3 }),
          limit: numberLike,
          pageToken: anyString,
        },
        some({
          experiments: fc.array(validExperiment, { maxLength: 2 }),
          filter: validFilter,
          orderBy: fc.array(validOrder, { maxLength: 2 }),
          limit: fc.integer({ min: 1, max: 1000 }),
        }),
      ),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(hugeSearch, common)
        .map(([body, headers]) =>
          build('POST', '/api/v1/runs/search', jsonBody(body, 'huge search'), headers),
        ),
      weight: 1,
    },
    {
      // A page token that names this very query, with a cursor of any JSON type.
      arbitrary: fc
        .tuple(anyJson, common)
        .map(([cursor, headers]) =>
          build(
            'POST',
            '/api/v1/runs/search',
            jsonBody(
              { pageToken: pageToken(cursor, JSON.stringify(['search', [], '', []])) },
              'crafted page token',
            ),
            headers,
          ),
        ),
      weight: 1,
    },
  );

  const artifacts = fc
    .tuple(runSegment, artifactPathLike, artifactBody(targets.artifactLimit), common)
    .map(([run, path, body, headers]) =>
      build('PUT', `/api/v1/runs/${run}/artifacts/${path}`, body, { ...headers, ...body.headers }),
    );

  const tokens = fc.oneof(
    json(
      'POST',
      fc.constant('/api/v1/tokens'),
      {
        name: nameLike,
        role: fc.constantFrom('viewer', 'editor', 'admin', 'root', 'ADMIN'),
        expiresAt: isoLike,
      },
      fc.record(
        { name: validName, role: fc.constantFrom('viewer', 'editor', 'admin'), expiresAt: futureIso },
        { requiredKeys: ['name', 'role'] },
      ),
    ),
    json(
      'DELETE',
      tokenSegment.map((s) => `/api/v1/tokens/${s}`),
      {},
    ),
  );

  return {
    experiments,
    runs,
    runData,
    search,
    artifacts,
    tokens,
    ...datasetRouteGroups(targets, { json, common, build }),
    ...registryRouteGroups(targets, { json, common, build }),
  };
}

/** Filters the parser accepts: a few comparisons on metrics, params, tags and status. */
const validFilter: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom('loss', 'acc', '`train/loss`'),
          fc.constantFrom('>', '<', '>=', '<=', '=', '!='),
          fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
        )
        .map(([key, op, value]) => `metrics.${key} ${op} ${value}`),
      fc
        .tuple(
          fc.constantFrom('params', 'tags'),
          validKey.filter((key) => !key.includes('/')),
          fc.constantFrom('=', '!=', 'like'),
          fc.stringMatching(/^[a-z0-9%_]{0,6}$/),
        )
        .map(([entity, key, op, value]) => `${entity}.${key} ${op} '${value}'`),
      fc.constantFrom("status = 'finished'", "status in ('running', 'failed')", 'tags.a is not null'),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .chain((terms) => fc.constantFrom(' and ', ' or ').map((join) => terms.join(join)));

const filterLike: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc
        .tuple(keyLike, fc.constantFrom('>', '<', '>=', '<=', '=', '!=', '<>', '=='), numberLike)
        .map(([key, op, value]) => `metrics.${key} ${op} ${String(value)}`),
      fc
        .tuple(keyLike, fc.constantFrom('=', '!=', 'like', 'ilike', 'in'), anyString)
        .map(([key, op, value]) => `params.${key} ${op} '${value}'`),
      fc
        .tuple(
          fc.constantFrom('status', 'name', 'tags.team', 'attributes.start_time', 'start_time'),
          anyString,
        )
        .map(([field, value]) => `${field} = '${value}'`),
      fc.constantFrom("status in ('finished', 'failed')", 'metrics.loss', '(', ')', "'", 'and', 'or', 'not'),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .chain((terms) => fc.constantFrom(' and ', ' or ', ' AND ', ' ').map((join) => terms.join(join)));

/** Filters and orderings far larger or deeper than any person writes (each fits in the body limit). */
const hugeSearch: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.constantFrom('parens', 'not', 'and', 'or', 'in', 'orderBy', 'experiments'),
    fc.constantFrom(50, 500, 2_000, 5_000),
  )
  .map(([shape, n]) => {
    const term = 'metrics.loss > 1';
    switch (shape) {
      case 'parens':
        return { filter: `${'('.repeat(n)}${term}${')'.repeat(n)}` };
      case 'not':
        return { filter: `${'not '.repeat(n)}${term}` };
      case 'and':
        return { filter: Array(n).fill(term).join(' and ') };
      case 'or':
        return { filter: Array(n).fill(term).join(' or ') };
      case 'in':
        return { filter: `params.p in (${Array.from({ length: n }, (_, i) => `'${i}'`).join(',')})` };
      case 'orderBy':
        return { orderBy: Array.from({ length: n }, (_, i) => `metrics.m${i % 50}`) };
      default:
        return { experiments: Array(n).fill('target') };
    }
  });

const validOrder: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('start_time', 'name', 'status', 'attributes.end_time'),
      fc
        .tuple(
          fc.constantFrom('metrics.', 'params.', 'tags.'),
          validKey.filter((key) => !key.includes('/')),
        )
        .map(([prefix, key]) => prefix + key),
    ),
    fc.constantFrom('', ' asc', ' desc', ' DESC'),
  )
  .map(([field, direction]) => field + direction);

const orderLike: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('metrics.', 'params.', 'tags.', 'attributes.', ''),
    keyLike,
    fc.constantFrom('', ' asc', ' desc', ' DESC', ' sideways'),
  )
  .map(([prefix, key, direction]) => `${prefix}${key}${direction}`);

function pageToken(cursor: unknown, query: string): string {
  return Buffer.from(JSON.stringify({ c: cursor, q: query })).toString('base64url');
}

function jsonBody(value: unknown, label: string): BodyCase {
  return { bytes: Buffer.from(JSON.stringify(value)), contentType: 'application/json', label };
}

interface ArtifactBody extends BodyCase {
  readonly headers: Readonly<Record<string, string>>;
}

function artifactBody(limit: number): fc.Arbitrary<ArtifactBody> {
  const bytes = fc.oneof(
    { arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((a) => Buffer.from(a)), weight: 4 },
    { arbitrary: fc.integer({ min: limit - 2, max: limit + 2 }).map((n) => Buffer.alloc(n, 7)), weight: 1 },
    { arbitrary: fc.constant(Buffer.alloc(0)), weight: 1 },
  );
  const type = fc.constantFrom(
    undefined,
    'application/octet-stream',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
    '',
  );
  const digestHeader = (body: Buffer) =>
    fc.oneof(
      fc.constant(undefined),
      fc.constant(createHash('sha256').update(body).digest('hex')),
      fc.constant(createHash('sha256').update(body).digest('hex').toUpperCase()),
      fc.stringMatching(/^[0-9a-f]{64}$/),
      fc.stringMatching(/^[ -~]{0,70}$/),
    );
  return fc.tuple(bytes, type).chain(([body, contentType]) =>
    digestHeader(body).map(
      (digest): ArtifactBody => ({
        bytes: body,
        ...(contentType === undefined ? {} : { contentType }),
        label: `artifact ${body.length} bytes`,
        headers: digest === undefined ? {} : ({ 'x-content-sha256': digest } as Record<string, string>),
      }),
    ),
  );
}

function commonHeaders(targets: Targets): fc.Arbitrary<Record<string, string>> {
  const auth = fc.oneof(
    { arbitrary: fc.constant(`Bearer ${targets.adminToken}`), weight: 30 },
    { arbitrary: fc.constant(`Bearer ${targets.viewerToken}`), weight: 1 },
    {
      arbitrary: fc.constantFrom('Bearer swt_unknown', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'garbage'),
      weight: 1,
    },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
  const requestId = fc.option(fc.stringMatching(/^[!-~]{0,140}$/), { freq: 2 });
  // fc.option's freq is the chance of *no* value: 1 in freq.
  const idempotencyKey = fc.oneof(
    { arbitrary: fc.constant(null), weight: 8 },
    {
      arbitrary: fc.oneof(fc.constantFrom('k1', 'k2', 'k3'), fc.stringMatching(/^[!-~]{200,300}$/)),
      weight: 1,
    },
  );
  return fc.tuple(auth, requestId, idempotencyKey).map(([authorization, id, key]) => ({
    ...(authorization === undefined ? {} : { authorization }),
    ...(id === null ? {} : { 'x-request-id': id }),
    ...(key === null ? {} : { 'idempotency-key': key }),
  }));
}

function build(
  method: Method,
  path: string,
  body: BodyCase,
  headers: Readonly<Record<string, string>>,
): FuzzRequest {
  return printable({
    method,
    path,
    label: body.label,
    headers: { ...headers, ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }) },
    ...(body.bytes === undefined ? {} : { body: body.bytes }),
  });
}

/** fast-check prints counterexamples with this: short, and the body as text. */
function printable(request: FuzzRequest): FuzzRequest {
  return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
}

export function describeRequest(request: FuzzRequest): string {
  const body = request.body === undefined ? '(no body)' : String(request.body);
  const shown = body.length > 400 ? `${body.slice(0, 400)}… (${body.length} characters)` : body;
  const path =
    request.path.length > 300
      ? `${request.path.slice(0, 300)}… (${request.path.length} characters)`
      : request.path;
  return `${request.method} ${path} [${request.label}] ${JSON.stringify(request.headers)} ${JSON.stringify(shown)}`;
}

/**
 * Inference: the Open Inference Protocol (KServe V2 REST) under /v2, so KServe, Triton and MLServer
 * clients work unchanged, and the row-oriented predict and live status under /api/v1. These are all
 * an inference-only node (`slipway serve`) answers besides health and metrics. Every answer says which model
 * version served it (`model_version`, `x-slipway-model-version`). Errors under /v2 are
 * `{ "error": "…" }` as the protocol defines (see error-handler.ts).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SLIPWAY_VERSION } from '../../core/version.js';
import {
  DeploymentStatusWithLiveSchema,
  parseTimeParam,
  StatusWithLiveQuery,
} from '../../monitoring/feedback/schema.js';
import { withLiveMetrics } from '../../monitoring/feedback/status-live.js';
import { encodeStatus } from '../../monitoring/feedback/wire.js';
import type { Platform } from '../../platform.js';
import type { RequestFacts } from '../../serving/index.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const Deployment = z.object({ name: z.string() });
const ModelVersionParams = z.object({ model: z.string(), version: z.string() });
const SERVED_BY = 'x-slipway-model-version';
const tags = ['inference (Open Inference Protocol)'];

function factsOf(request: FastifyRequest): RequestFacts {
  return {
    requestId: request.id,
    header: (name) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
  };
}

export function inferenceRoutes(app: ZodApp, { serving, monitoring, clock }: Platform): void {
  const inference = serving.inference;
  const open = { config: { public: true } };

  app.get('/v2', { ...open, schema: { tags, summary: 'Server metadata' } }, async () => ({
    name: 'slipway',
    version: SLIPWAY_VERSION,
    extensions: [],
  }));
  app.get('/v2/health/live', { ...open, schema: { tags, summary: 'The server is up' } }, async () => ({
    live: true,
  }));
  app.get(
    '/v2/health/ready',
    { ...open, schema: { tags, summary: 'The server is ready for inference' } },
    async () => ({ ready: true }),
  );

  app.get(
    '/v2/models/:name',
    { schema: { tags, summary: "A deployment's model metadata: inputs and outputs", params: Deployment } },
    async (request) => inference.metadata(request.params.name),
  );
  app.get(
    '/v2/models/:name/ready',
    {
      schema: {
        tags,
        summary: "200 when the deployment's current revision is loaded here, 400 while it is not",
        params: Deployment,
      },
    },
    async (request, reply) => {
      const ready = await inference.isReady(request.params.name);
      if (!ready) reply.code(400);
      return ready
        ? { name: request.params.name, ready }
        : { error: `deployment '${request.params.name}' is not ready` };
    },
  );
  app.post(
    '/v2/models/:name/infer',
    {
      config: { role: 'viewer', hotPath: true },
      schema: {
        tags,
        summary:
          'Inference through a deployment: { id?, inputs: [{ name, shape, datatype, data }], outputs?: [{ name }] }',
        params: Deployment,
      },
    },
    async (request, reply) => {
      const answer = await inference.infer(request.params.name, request.body, factsOf(request));
      reply.header(SERVED_BY, answer.servedBy);
      return answer.body;
    },
  );

  app.get(
    '/v2/models/:model/versions/:version',
    { schema: { tags, summary: "A registered model version's metadata", params: ModelVersionParams } },
    async (request) => inference.versionMetadata(request.params.model, request.params.version),
  );
  app.get(
    '/v2/models/:model/versions/:version/ready',
    {
      schema: {
        tags,
        summary: 'Loads the version if needed; 200 once it can answer',
        params: ModelVersionParams,
      },
    },
    async (request) =>
      inference.withVersion(request.params.model, request.params.version, async (loaded) => ({
        name: loaded.version.model,
        version: String(loaded.version.version),
        ready: true,
      })),
  );
  app.post(
    '/v2/models/:model/versions/:version/infer',
    {
      config: { role: 'viewer', hotPath: true },
      schema: {
        tags,
        summary: 'Inference on a registered model version, without a deployment',
        params: ModelVersionParams,
      },
    },
    async (request, reply) => {
      const { model, version } = request.params;
      const answer = await inference.inferVersion(model, version, request.body, factsOf(request));
      reply.header(SERVED_BY, answer.servedBy);
      return answer.body;
    },
  );

  app.get(
    '/api/v1/deployments/:name/status',
    {
      schema: {
        tags: ['deployments'],
        summary:
          'Routes and weights with live request rate, errors and p50/p99 latency per route over the last minutes (as this server saw them), and the live performance of each version on labelled predictions',
        params: Deployment,
        querystring: StatusWithLiveQuery,
        response: { 200: DeploymentStatusWithLiveSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const window = request.query.window ?? 300;
      const since = parseTimeParam('since', request.query.since);
      const status = await inference.status(request.params.name, window);
      // Serving knows nothing of labels: the live performance is merged in here.
      const live = await monitoring.feedback.liveMetrics(status.deployment, {
        since: since ?? clock.now() - window * 1000,
      });
      return encodeStatus(withLiveMetrics(status, live));
    },
  );

  app.post(
    '/api/v1/deployments/:name/predict',
    {
      config: { role: 'viewer', hotPath: true },
      schema: {
        tags: ['deployments'],
        summary:
          'Row-oriented prediction: { instances: [{ feature: value, … }] } → { predictions, probabilities?, modelVersion, requestId }',
        params: Deployment,
      },
    },
    async (request, reply) => {
      const answer = await inference.predict(request.params.name, request.body, factsOf(request));
      reply.header(SERVED_BY, answer.servedBy);
      return answer.body;
    },
  );
}

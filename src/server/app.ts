/**
 * Builds the HTTP application (without listening, so tests can use inject): error mapping, auth,
 * request ids, metrics, OpenAPI, and one route file per domain. Handlers only parse, call a service
 * and serialise.
 */
import Fastify, { LogController } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { Platform } from '../platform.js';
import { installAuth } from './auth-hook.js';
import { answerClientError, answerFrameworkError, installErrorHandler } from './error-handler.js';
import './fastify-types.js';
import { installNulGuard } from './nul-guard.js';
import { installOpenApi } from './openapi.js';
import { installPrometheus } from './prometheus.js';
import { requestIdFrom } from './request-context.js';
import { accessRoutes, whoamiRoute } from './routes/access.js';
import { artifactRoutes } from './routes/artifacts.js';
import { automlRoutes } from './routes/automl.js';
import { backupRoutes } from './routes/backup.js';
import { datasetCheckRoutes } from './routes/dataset-checks.js';
import { datasetRoutes } from './routes/datasets.js';
import { deploymentRoutes } from './routes/deployments.js';
import { driftRoutes } from './routes/drift.js';
import { experimentRoutes } from './routes/experiments.js';
import { feedbackRoutes } from './routes/feedback.js';
import { healthRoutes } from './routes/health.js';
import { inferenceRoutes } from './routes/inference.js';
import { lineageRoutes } from './routes/lineage.js';
import { modelRoutes } from './routes/models.js';
import { monitorRoutes } from './routes/monitors.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { policyRoutes } from './routes/policies.js';
import { runRoutes } from './routes/runs.js';
import { workerRoutes } from './routes/workers.js';
import type { ZodApp } from './zod-app.js';

const MAX_PARAM_LENGTH = 1024;

export interface AppOptions {
  readonly logger?: Logger;
  readonly version: string;
  /** True once shutdown began: /readyz answers 503 so load balancers stop sending traffic. */
  readonly isClosing?: () => boolean;
  /** Only health, metrics and inference routes (`slipway serve`): no admin API. */
  readonly inferenceOnly?: boolean;
}

export async function buildApp(platform: Platform, options: AppOptions): Promise<ZodApp> {
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit: platform.config.maxBodyBytes,
    genReqId: (request) => requestIdFrom(request.headers['x-request-id'], () => newId()),
    requestIdHeader: false,
    // Path parameters are ids and names (names up to 128 characters, more when %-encoded); the
    // router's default of 100 would refuse valid names.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // One line per request from our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Handlers may stream large artifacts; shutdown waits for them.
    return503OnClosing: true,
  }).withTypeProvider() as unknown as ZodApp;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const quiet = request.routeOptions.config.hotPath === true && reply.statusCode < 400;
    if (quiet && request.log.level !== 'debug' && request.log.level !== 'trace') return;
    request.log[quiet ? 'debug' : 'info'](
      {
        reqId: request.id,
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        actor: request.actor?.name,
      },
      'request',
    );
  });
  installAuth(app, platform.tokens);
  installNulGuard(app);
  installPrometheus(app, [platform.serving.metrics.registry]);
  await installOpenApi(app, options.version);

  healthRoutes(app, platform, options.isClosing ?? (() => false));
  inferenceRoutes(app, platform);
  whoamiRoute(app);
  if (options.inferenceOnly === true) return app;
  experimentRoutes(app, platform);
  runRoutes(app, platform);
  artifactRoutes(app, platform);
  accessRoutes(app, platform);
  backupRoutes(app, platform);
  datasetRoutes(app, platform);
  datasetCheckRoutes(app, platform);
  modelRoutes(app, platform);
  lineageRoutes(app, platform);
  automlRoutes(app, platform);
  deploymentRoutes(app, platform);
  feedbackRoutes(app, platform);
  policyRoutes(app, platform);
  pipelineRoutes(app, platform);
  monitorRoutes(app, platform);
  workerRoutes(app, platform);
  driftRoutes(app, platform);
  return app;
}

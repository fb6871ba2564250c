/**
 * The quickstart's serving step: the champion goes behind the deployment `churn`, which then answers
 * fresh customers through row-oriented predict and the Open Inference Protocol; the answers must name
 * the champion's version, and the deployment's live status must count them.
 */
import type { Slipway } from '../client/slipway.js';
import { NotFoundError } from '../core/errors.js';
import { churnRows } from './churn-data.js';
import { DEMO_MODEL } from './registry-demo.js';

export const DEMO_DEPLOYMENT = 'churn';
const DEMO_REQUESTS = 20;
const ROWS_PER_REQUEST = 10;

export async function deployAndServe(
  sw: Slipway,
  champion: string,
  say: (line: string) => void,
): Promise<string> {
  const routes = [{ model: `${DEMO_MODEL}@champion` }];
  const existing = await sw.deployments.get(DEMO_DEPLOYMENT).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  const deployment =
    existing === undefined
      ? await sw.deployments.create(DEMO_DEPLOYMENT, {
          routes,
          batching: { maxBatch: 32, maxDelayMs: 2 },
          description: 'Quickstart: the churn champion',
        })
      : await sw.deployments.update(DEMO_DEPLOYMENT, { routes, expectedRevision: existing.revision });
  say(
    `deployment ${deployment.name} (revision ${deployment.revision}) routes 100% to churn@champion = ${champion}`,
  );

  // Customers the model has not seen, without their outcome.
  const customers = churnRows(DEMO_REQUESTS * ROWS_PER_REQUEST, 99).map(
    ({ churned: _, ...features }) => features,
  );
  let churners = 0;
  for (let i = 0; i < DEMO_REQUESTS; i++) {
    const answer = await sw.deployments.predict(
      DEMO_DEPLOYMENT,
      customers.slice(i * ROWS_PER_REQUEST, (i + 1) * ROWS_PER_REQUEST),
    );
    if (answer.modelVersion !== champion)
      throw new Error(`deployment ${DEMO_DEPLOYMENT} answered with ${answer.modelVersion}, not ${champion}`);
    churners += answer.predictions.filter((label) => label === '1').length;
  }
  const first = customers[0]!;
  const v2 = await sw.deployments.infer(DEMO_DEPLOYMENT, {
    inputs: Object.entries(first).map(([name, value]) =>
      typeof value === 'number'
        ? { name, shape: [1, 1], datatype: 'FP32', data: [value] }
        : { name, shape: [1, 1], datatype: 'BYTES', data: [value ?? ''] },
    ),
  });
  if (`${DEMO_MODEL}@${v2.model_version}` !== champion)
    throw new Error(`the V2 answer names ${DEMO_MODEL}@${v2.model_version}, not ${champion}`);
  const status = await sw.deployments.status(DEMO_DEPLOYMENT, 60);
  const route = status.routes[0];
  if (route === undefined || route.requests < DEMO_REQUESTS + 1)
    throw new Error(`deployments status counted ${route?.requests ?? 0} requests, not ${DEMO_REQUESTS + 1}`);
  say(
    `predicted ${customers.length} new customers (${churners} likely to churn) in ${DEMO_REQUESTS} predict calls and one V2 call; p50 ${route.p50Ms?.toFixed(2)} ms`,
  );
  return deployment.name;
}

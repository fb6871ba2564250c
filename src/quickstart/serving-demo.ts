/**
 * The quickstart's traffic: the pipeline's `deploy` step put the champion behind the deployment; this
 * sends it fresh customers through row-oriented predict and the Open Inference Protocol. The answers
 * must name the champion's version, and the deployment's live status must count them.
 *
 * It runs here, after the pipeline, rather than as a pipeline step: a step runs inside the server and
 * would need the server's URL and a token as params, and params are stored with every run.
 */
import type { Slipway } from '../client/slipway.js';
import { churnRows } from './churn-data.js';
import { DEMO_MODEL } from './registry-demo.js';

const DEMO_REQUESTS = 20;
const ROWS_PER_REQUEST = 10;

export async function sendTraffic(
  sw: Slipway,
  deploymentName: string,
  champion: string,
  say: (line: string) => void,
): Promise<void> {
  const deployment = await sw.deployments.get(deploymentName);
  const routes = deployment.routes.map(
    (route) => `${route.weight}% to ${route.reference} = ${route.model}@${route.version}`,
  );
  say(`deployment ${deployment.name} (revision ${deployment.revision}) routes ${routes.join(', ')}`);

  // Customers the model has not seen, without their outcome.
  const customers = churnRows(DEMO_REQUESTS * ROWS_PER_REQUEST, 99).map(
    ({ churned: _, ...features }) => features,
  );
  let churners = 0;
  for (let i = 0; i < DEMO_REQUESTS; i++) {
    const answer = await sw.deployments.predict(
      deploymentName,
      customers.slice(i * ROWS_PER_REQUEST, (i + 1) * ROWS_PER_REQUEST),
    );
    if (answer.modelVersion !== champion)
      throw new Error(`deployment ${deploymentName} answered with ${answer.modelVersion}, not ${champion}`);
    churners += answer.predictions.filter((label) => label === '1').length;
  }
  const first = customers[0]!;
  const v2 = await sw.deployments.infer(deploymentName, {
    inputs: Object.entries(first).map(([name, value]) =>
      typeof value === 'number'
        ? { name, shape: [1, 1], datatype: 'FP32', data: [value] }
        : { name, shape: [1, 1], datatype: 'BYTES', data: [value ?? ''] },
    ),
  });
  if (`${DEMO_MODEL}@${v2.model_version}` !== champion)
    throw new Error(`the V2 answer names ${DEMO_MODEL}@${v2.model_version}, not ${champion}`);
  const status = await sw.deployments.status(deploymentName, 60);
  const route = status.routes[0];
  if (route === undefined || route.requests < DEMO_REQUESTS + 1)
    throw new Error(`deployments status counted ${route?.requests ?? 0} requests, not ${DEMO_REQUESTS + 1}`);
  say(
    `predicted ${customers.length} new customers (${churners} likely to churn) in ${DEMO_REQUESTS} predict calls and one V2 call; p50 ${route.p50Ms?.toFixed(2)} ms`,
  );
}

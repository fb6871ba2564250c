/**
 * A Slipway deployment ready to be loaded: created through the SDK, polled until its first revision
 * answers (503 while it loads), its answer checked, and turned into a LoadTarget for autocannon.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Slipway } from '../../src/client/index.js';
import type { CreateDeploymentInput } from '../../src/serving/index.js';
import type { LoadTarget } from './load.js';

const READY_TIMEOUT_MS = 60_000;

/** The V2 body of one row: `inputs` deterministic numbers in [-1, 1]. */
export function v2Body(inputs: number): string {
  const data = Array.from({ length: inputs }, (_, i) => Number(Math.sin(i + 1).toFixed(4)));
  return JSON.stringify({ inputs: [{ name: 'input', shape: [1, inputs], datatype: 'FP32', data }] });
}

/** Any V2 endpoint: `url` is the full .../infer URL. */
export function v2Target(url: string, body: string, token?: string): LoadTarget {
  return {
    url,
    body,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
  };
}

export async function deploymentTarget(
  sw: Slipway,
  server: { readonly url: string; readonly token: string },
  name: string,
  input: CreateDeploymentInput,
  body: string,
): Promise<LoadTarget> {
  await sw.deployments.create(name, input);
  const target = v2Target(new URL(`/v2/models/${name}/infer`, server.url).href, body, server.token);
  await checkAnswers(target, (name) => name);
  return target;
}

/**
 * Waits until the target answers 200 with a `probabilities` output of one row, then sends `samples`
 * requests and returns how many each version served (from the x-slipway-model-version header).
 */
export async function checkAnswers(
  target: LoadTarget,
  describe: (url: string) => string,
  samples = 1,
): Promise<ReadonlyMap<string, number>> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
    const text = await response.text();
    if (response.status === 503 && Date.now() < deadline) {
      await sleep(100);
      continue;
    }
    if (response.status !== 200)
      throw new Error(`${describe(target.url)} answered ${response.status}: ${text}`);
    const outputs = (JSON.parse(text) as { outputs?: { name: string; shape: number[] }[] }).outputs;
    const probabilities = outputs?.find((output) => output.name === 'probabilities');
    if (probabilities?.shape[0] !== 1)
      throw new Error(`${describe(target.url)} answered without one row of probabilities: ${text}`);
    break;
  }
  const servedBy = new Map<string, number>();
  for (let i = 0; i < samples; i++) {
    const response = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
    await response.arrayBuffer();
    const version = response.headers.get('x-slipway-model-version') ?? '(none)';
    servedBy.set(version, (servedBy.get(version) ?? 0) + 1);
  }
  return servedBy;
}

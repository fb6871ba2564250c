/**
 * Pipeline test helpers: write a pipeline directory (YAML and step code) into a temp dir, apply it
 * to a test server as `slipway pipelines apply` does (bundles, files snapshot, one package), start
 * runs and wait for them over HTTP.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PipelineRunInfo } from '../../src/pipelines/index.js';
import {
  bundleFnSteps,
  loadPipelineFile,
  snapshotFiles,
  writeApplyPackage,
} from '../../src/pipelines/package/index.js';
import type { TestServer } from '../support/test-server.js';

/** Anything that can call the API: a test server, or a child server through `fetcherOf`. */
export type Api = Pick<TestServer, 'fetch'>;

/** Writes `files` (relative path -> text) into a fresh directory; answers its path. */
export async function pipelineDir(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-pipeline-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

export async function applyFile(server: Api, file: string): Promise<{ status: number; body: unknown }> {
  const { pipeline, spec } = await loadPipelineFile(file);
  const bundles = await bundleFnSteps(pipeline, file);
  const files = await snapshotFiles(pipeline, file);
  const chunks: Buffer[] = [];
  for await (const chunk of writeApplyPackage({ spec, source: 'pipeline.yaml', bundles, files })) {
    chunks.push(chunk as Buffer);
  }
  const response = await server.fetch('/api/v1/pipelines/package', {
    method: 'POST',
    headers: { 'content-type': 'application/x-tar' },
    body: Buffer.concat(chunks),
  });
  return { status: response.status, body: await response.json() };
}

export async function startRun(
  server: Api,
  name: string,
  body: Record<string, unknown> = {},
): Promise<PipelineRunInfo> {
  const response = await server.fetch(`/api/v1/pipelines/${name}/runs`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.status !== 202)
    throw new Error(`run not started: ${response.status} ${JSON.stringify(answer)}`);
  return answer as PipelineRunInfo;
}

export async function getRun(server: Api, id: string): Promise<PipelineRunInfo> {
  const response = await server.fetch(`/api/v1/pipeline-runs/${id}`);
  return (await response.json()) as PipelineRunInfo;
}

/** Polls until the run has finished (or `until` holds); answers it. */
export async function waitForRun(
  server: Api,
  id: string,
  until: (run: PipelineRunInfo) => boolean = (run) =>
    run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled',
): Promise<PipelineRunInfo> {
  for (;;) {
    const run = await getRun(server, id);
    if (until(run)) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function stepOf(run: PipelineRunInfo, name: string, item?: number) {
  const step = run.steps?.find((candidate) => candidate.step === name && candidate.item === item);
  if (step === undefined)
    throw new Error(`run ${run.id} has no step ${name}${item === undefined ? '' : `#${item}`}`);
  return step;
}

/** The whole log of one step (or item) of a run, as text. */
export async function stepLog(server: Api, runId: string, step: string, item?: number): Promise<string> {
  const query = `step=${encodeURIComponent(step)}${item === undefined ? '' : `&item=${item}`}`;
  const response = await server.fetch(`/api/v1/pipeline-runs/${runId}/logs?${query}`);
  const { chunks } = (await response.json()) as { chunks: { text: string }[] };
  return chunks.map((chunk) => chunk.text).join('');
}

/** An Api over a server in another process, with its admin token. */
export function fetcherOf(server: { readonly url: string; readonly adminToken: string }): Api {
  return {
    fetch(path, init = {}) {
      const { token: _token, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set('authorization', `Bearer ${server.adminToken}`);
      if (typeof rest.body === 'string' && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return fetch(server.url + path, { ...rest, headers });
    },
  };
}

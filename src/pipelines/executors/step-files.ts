/**
 * Files that flow between steps travel as artifacts of the pipeline run's tracking run: a step's
 * file outputs are stored as `steps/<step>[/<item>]/<output>` and passed on as their URIs
 * (`runs/<run>/artifacts/<path>`); a consumer gets a local copy. Whoever runs the step (this server
 * or a queue worker on another machine) does both, so no path ever crosses machines.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from '../../core/context.js';
import type { Tracking } from '../../tracking/index.js';
import type { JsonValue, OutputType } from '../definition/index.js';
import { StepFailure } from './step-failure.js';

const ARTIFACT_URI = /^runs\/([^/]+)\/artifacts\/(.+)$/;

export class StepFiles {
  constructor(private readonly tracking: Tracking) {}

  /** The digest of the artifact a file value names (part of a consumer's cache key). */
  async digest(value: JsonValue): Promise<string> {
    const { run, path } = parseArtifactUri(value);
    return (await this.tracking.artifacts.stat(run, path)).digest;
  }

  /** Copies the artifact a file value names into the directory `into`, keeping its name; answers its path. */
  async download(value: JsonValue, into: string): Promise<string> {
    const { run, path } = parseArtifactUri(value);
    const target = join(into, basename(path));
    const info = await this.tracking.artifacts.stat(run, path);
    await mkdir(dirname(target), { recursive: true });
    await pipeline(await this.tracking.artifacts.read(run, info), createWriteStream(target));
    return target;
  }

  /** Stores file outputs (local paths) as artifacts of the run; their values become artifact URIs. */
  async store(
    ctx: RequestContext,
    trackingRun: string,
    step: string,
    item: number | undefined,
    declared: Readonly<Record<string, OutputType>>,
    outputs: Readonly<Record<string, JsonValue>>,
  ): Promise<Record<string, JsonValue>> {
    const stored: Record<string, JsonValue> = { ...outputs };
    for (const [name, type] of Object.entries(declared)) {
      if (type !== 'file') continue;
      const path = outputs[name] as string;
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || !info.isFile()) {
        throw new StepFailure('OUTPUT_INVALID', `file output '${name}' was not written (looked for ${path})`);
      }
      // The file keeps its own name (and so its extension, which readers such as dataset.push go by).
      const artifact = `steps/${step}${item === undefined ? '' : `/${item}`}/${name}/${basename(path)}`;
      await this.tracking.artifacts.put(ctx, trackingRun, artifact, createReadStream(path));
      stored[name] = `runs/${trackingRun}/artifacts/${artifact}`;
    }
    return stored;
  }
}

function parseArtifactUri(value: JsonValue): { run: string; path: string } {
  const match = typeof value === 'string' ? ARTIFACT_URI.exec(value) : null;
  if (match === null) {
    throw new StepFailure(
      'INPUT_INVALID',
      `expected a file output such as runs/<run>/artifacts/<path>, got ${JSON.stringify(value)}`,
    );
  }
  return { run: match[1]!, path: match[2]! };
}

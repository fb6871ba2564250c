/**
 * SDK artifact transfer. Uploads declare their sha256 so the server rejects damaged bytes; downloads
 * land in a temp file, are checked against the server's digest, and only then take the final name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { IntegrityError } from '../core/errors.js';
import type { ArtifactInfo } from '../tracking/index.js';
import { encodePath, type HttpClient } from './http-client.js';

export type ArtifactSource = string | Buffer | Uint8Array | Readable;

export interface DownloadedArtifact {
  readonly path: string;
  readonly digest: string;
  readonly size: number;
  /** The local file written. */
  readonly file: string;
}

export class ArtifactsApi {
  constructor(private readonly http: HttpClient) {}

  /** Uploads a local file (by path), bytes, or a stream to `path` under the run. */
  async put(runId: string, path: string, source: ArtifactSource): Promise<ArtifactInfo> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    let body: Buffer | Readable;
    if (typeof source === 'string') {
      headers['x-content-sha256'] = await hashFile(source);
      headers['content-length'] = String((await stat(source)).size);
      body = createReadStream(source);
    } else if (source instanceof Readable) {
      body = source;
    } else {
      body = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
      headers['x-content-sha256'] = createHash('sha256').update(body).digest('hex');
    }
    const response = await this.http.raw('PUT', artifactPath(runId, path), { headers, body });
    return (await response.body.json()) as ArtifactInfo;
  }

  async list(runId: string, prefix?: string): Promise<readonly ArtifactInfo[]> {
    const page = await this.http.request<{ items: ArtifactInfo[] }>(
      'GET',
      `/api/v1/runs/${encodeURIComponent(runId)}/artifacts`,
      {
        query: { prefix },
      },
    );
    return page.items;
  }

  /** The artifact's bytes as a stream. Prefer download() or bytes(), which verify the digest. */
  async open(
    runId: string,
    path: string,
  ): Promise<{ readonly digest: string; readonly size: number; readonly stream: Readable }> {
    const response = await this.http.raw('GET', artifactPath(runId, path));
    return {
      digest: String(response.headers['x-content-sha256'] ?? ''),
      size: Number(response.headers['content-length'] ?? 0),
      stream: response.body as unknown as Readable,
    };
  }

  /** The whole artifact in memory, verified. */
  async bytes(runId: string, path: string): Promise<Buffer> {
    const { digest, stream } = await this.open(runId, path);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    checkDigest(path, digest, createHash('sha256').update(bytes).digest('hex'));
    return bytes;
  }

  /** Downloads to a local file atomically: the file appears only complete and verified. */
  async download(runId: string, path: string, destination: string): Promise<DownloadedArtifact> {
    const { digest, size, stream } = await this.open(runId, path);
    const temp = join(dirname(destination), `.${basename(destination)}.${randomUUID()}.part`);
    const handle = await open(temp, 'wx');
    const hash = createHash('sha256');
    try {
      for await (const chunk of stream) {
        hash.update(chunk as Buffer);
        await handle.write(chunk as Buffer);
      }
      await handle.sync();
      await handle.close();
      checkDigest(path, digest, hash.digest('hex'));
      await rename(temp, destination);
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw error;
    }
    return { path, digest, size, file: destination };
  }
}

function artifactPath(runId: string, path: string): string {
  return `/api/v1/runs/${encodeURIComponent(runId)}/artifacts/${encodePath(path)}`;
}

function checkDigest(path: string, expected: string, actual: string): void {
  if (expected !== actual) {
    throw new IntegrityError(
      `artifact '${path}' arrived damaged: sha256 ${actual}, server says ${expected}`,
      { expected, actual },
    );
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

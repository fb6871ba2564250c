/**
 * SDK artifact transfer. Uploads declare their sha256 so the server rejects damaged bytes; downloads
 * land in a temp file, are checked against the server's digest, and only then take the final name.
 */
import type { Readable } from 'node:stream';
import type { ArtifactInfo } from '../tracking/index.js';
import { encodePath, type HttpClient } from './http-client.js';
import { downloadOf, downloadVerified, readVerified, type UploadSource, uploadBody } from './transfer.js';

export type ArtifactSource = UploadSource;

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
    const upload = await uploadBody(source, { declareDigest: true });
    const response = await this.http.raw('PUT', artifactPath(runId, path), upload);
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
    return downloadOf(await this.http.raw('GET', artifactPath(runId, path)));
  }

  /** The whole artifact in memory, verified. */
  async bytes(runId: string, path: string): Promise<Buffer> {
    const { digest, stream } = await this.open(runId, path);
    return readVerified(stream, digest, subject(path));
  }

  /** Downloads to a local file atomically: the file appears only complete and verified. */
  async download(runId: string, path: string, destination: string): Promise<DownloadedArtifact> {
    const { digest, size, stream } = await this.open(runId, path);
    await downloadVerified(stream, destination, digest, subject(path));
    return { path, digest, size, file: destination };
  }
}

function artifactPath(runId: string, path: string): string {
  return `/api/v1/runs/${encodeURIComponent(runId)}/artifacts/${encodePath(path)}`;
}

/** How an integrity error names the artifact. */
function subject(path: string): string {
  return `artifact '${path}'`;
}

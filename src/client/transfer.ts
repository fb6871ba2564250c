/**
 * Byte transfer shared by the SDK's artifact, dataset and model methods. Uploads stream a local file
 * rather than reading it whole; downloads land in a temp file beside the destination, are checked
 * against the server's sha256, and only then take the final name, so a damaged or cut-off transfer
 * never leaves a file that looks usable.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { IntegrityError } from '../core/errors.js';

/** A local file (by path), bytes, or a stream. */
export type UploadSource = string | Buffer | Uint8Array | Readable;

export interface UploadBody {
  readonly body: Buffer | Readable;
  /** content-type, plus content-length for a file and x-content-sha256 when asked for. */
  readonly headers: Record<string, string>;
}

/**
 * The request body and headers for `source`. With `declareDigest` the sha256 of a file or of bytes
 * is sent so the server rejects damaged bytes; a stream cannot be hashed before it is sent.
 */
export async function uploadBody(
  source: UploadSource,
  options: { readonly declareDigest?: boolean } = {},
): Promise<UploadBody> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (typeof source === 'string') {
    if (options.declareDigest === true) headers['x-content-sha256'] = await hashFile(source);
    headers['content-length'] = String((await stat(source)).size);
    return { headers, body: createReadStream(source) };
  }
  if (source instanceof Readable) return { headers, body: source };
  const body = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  if (options.declareDigest === true) headers['x-content-sha256'] = sha256(body);
  return { headers, body };
}

export interface Download {
  /** The sha256 the server states for the bytes. */
  readonly digest: string;
  /** The content-length the server states. */
  readonly size: number;
  readonly stream: Readable;
}

/** A raw download response as the digest and size the server states, and the body stream. */
export function downloadOf(response: Dispatcher.ResponseData): Download {
  return {
    digest: String(response.headers['x-content-sha256'] ?? ''),
    size: Number(response.headers['content-length'] ?? 0),
    stream: response.body as unknown as Readable,
  };
}

/** Reads the whole stream into memory and checks it; `subject` names it in the error. */
export async function readVerified(
  stream: AsyncIterable<Uint8Array>,
  digest: string,
  subject: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  checkDigest(subject, digest, sha256(bytes));
  return bytes;
}

/**
 * Writes the stream to `destination` atomically and verified (see the file's comment); resolves to
 * the number of bytes written. `subject` names the download in the error.
 */
export async function downloadVerified(
  stream: AsyncIterable<Uint8Array>,
  destination: string,
  digest: string,
  subject: string,
): Promise<number> {
  const temp = join(dirname(destination), `.${basename(destination)}.${randomUUID()}.part`);
  const handle = await open(temp, 'wx');
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of stream) {
      hash.update(chunk);
      size += chunk.byteLength;
      await handle.write(chunk);
    }
    await handle.sync();
    await handle.close();
    checkDigest(subject, digest, hash.digest('hex'));
    await rename(temp, destination);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
  return size;
}

function checkDigest(subject: string, expected: string, actual: string): void {
  if (expected !== actual) {
    throw new IntegrityError(`${subject} arrived damaged: sha256 ${actual}, server says ${expected}`, {
      expected,
      actual,
    });
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

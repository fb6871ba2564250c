/**
 * Reading an untrusted tar stream entry by entry (backups, pipeline packages): a failure of the
 * input itself is reported as itself, anything the tar parser says means the bytes are not a valid
 * archive and becomes the caller's own error; an abandoned read stops both the input and the parser.
 */
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { SlipwayError } from './errors.js';

/** One entry of the archive: its header and its bytes as a stream. */
export type TarEntry = ReturnType<typeof tar.extract> extends AsyncIterable<infer E> ? E : never;

export interface TarInput {
  /** The next entry, or undefined at the end. */
  next(): Promise<TarEntry | undefined>;
  /** Maps an error met while reading to what the caller reports. */
  readonly translate: (error: unknown) => unknown;
  /** Stops reading (after a refusal): the input and the parser are destroyed. */
  abandon(): void;
}

/** `notTar` makes the caller's error from the parser's message. */
export function openTar(input: Readable, notTar: (detail: string) => SlipwayError): TarInput {
  const extract = tar.extract();
  let inputError: unknown;
  input.on('error', (error) => {
    inputError = error;
    extract.destroy(error);
  });
  input.pipe(extract as unknown as NodeJS.WritableStream);
  const translate = (error: unknown): unknown =>
    error === inputError || error instanceof SlipwayError
      ? error
      : notTar(error instanceof Error ? error.message : String(error));
  const entries = extract[Symbol.asyncIterator]();
  return {
    translate,
    async next() {
      const next = await entries.next().catch((error: unknown) => {
        throw translate(error);
      });
      return next.done === true ? undefined : next.value;
    },
    abandon() {
      input.unpipe();
      input.destroy();
      extract.destroy();
    },
  };
}

/** The whole of a (small) entry. */
export async function readEntry(
  entry: AsyncIterable<unknown>,
  translate: (error: unknown) => unknown,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of entry) chunks.push(chunk as Buffer);
  } catch (error) {
    throw translate(error);
  }
  return Buffer.concat(chunks);
}

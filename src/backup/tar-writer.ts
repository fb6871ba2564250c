/**
 * Writes entries into a tar stream with backpressure (a slow reader slows the backup down rather
 * than filling memory), and fails instead of waiting forever when the reader goes away.
 */
import type { Readable as NodeReadable } from 'node:stream';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { IntegrityError } from '../core/errors.js';

export class TarWriter {
  private readonly pack = tar.pack();
  private finalized = false;
  /** Rejects once the archive is torn down before it was finished. */
  private readonly torn: Promise<never>;
  /** The archive's bytes. */
  readonly output: NodeReadable;

  constructor(private readonly mtime: Date) {
    this.torn = new Promise<never>((_, reject) => {
      this.pack.once('close', () => {
        if (!this.finalized) reject(new Error('the backup archive was closed before it was complete'));
      });
    });
    this.torn.catch(() => {});
    this.output = Readable.from(this.pack);
  }

  /** A small entry whose bytes are at hand. */
  async file(name: string, bytes: Uint8Array): Promise<void> {
    const written = new Promise<void>((resolve, reject) => {
      this.pack.entry({ name, size: bytes.byteLength, mtime: this.mtime }, bytes, (error) =>
        error ? reject(error) : resolve(),
      );
    });
    await Promise.race([written, this.torn]);
  }

  /** An entry streamed from `source`, which must yield exactly `size` bytes. */
  async stream(name: string, size: number, source: AsyncIterable<Uint8Array>): Promise<void> {
    let settle: (error?: Error | null) => void = () => {};
    const written = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    written.catch(() => {});
    const sink = this.pack.entry({ name, size, mtime: this.mtime }, (error) => settle(error));
    let seen = 0;
    try {
      for await (const chunk of source) {
        seen += chunk.byteLength;
        // A tar entry longer than its header says would corrupt every entry after it.
        if (seen > size) throw sizeMismatch(name, size, seen);
        if (!sink.write(chunk)) await Promise.race([drained(sink), this.torn]);
      }
      if (seen !== size) throw sizeMismatch(name, size, seen);
      sink.end(null); // streamx types want an argument; null adds nothing
      await Promise.race([written, this.torn]);
    } catch (error) {
      sink.destroy(error as Error);
      throw error;
    }
  }

  finalize(): void {
    this.finalized = true;
    this.pack.finalize();
  }

  destroy(error: Error): void {
    this.pack.destroy(error);
  }
}

function drained(sink: { once(event: 'drain', listener: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => sink.once('drain', resolve));
}

function sizeMismatch(name: string, expected: number, actual: number): IntegrityError {
  return new IntegrityError(
    `${name}: the artifact store holds ${actual > expected ? 'more' : 'fewer'} bytes than the ${expected} the database records`,
    { entry: name, expected, actual },
  );
}

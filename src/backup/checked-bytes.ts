/**
 * An archive entry's bytes, checked as they pass: a blob against its sha256 and size, a table chunk
 * for whole lines. Whoever reads the bytes gets the failure at the end instead of a clean finish;
 * entries nobody read are read (and so checked) by finish().
 */
import { createHash } from 'node:crypto';
import { invalidBackup } from './backup-errors.js';

export interface CheckedBytes extends AsyncIterable<Uint8Array> {
  /** Reads what the consumer left unread; throws if the consumer stopped halfway. */
  finish(): Promise<void>;
  /** For chunks: the number of rows (lines) seen. */
  rows(): number;
}

type Translate = (error: unknown) => unknown;

interface Check {
  update(chunk: Uint8Array): void;
  /** Throws when the bytes were wrong. */
  end(): void;
  rows(): number;
}

export function blobChecker(
  entry: AsyncIterable<unknown>,
  digest: string,
  size: number,
  translate: Translate,
): CheckedBytes {
  const hash = createHash('sha256');
  let seen = 0;
  return checked(entry, translate, {
    update(chunk) {
      hash.update(chunk);
      seen += chunk.byteLength;
    },
    end() {
      const actual = hash.digest('hex');
      if (actual !== digest || seen !== size) {
        throw invalidBackup(`blob ${digest} in the archive is damaged: its ${seen} bytes hash to ${actual}`, {
          digest,
          actual,
          size: seen,
        });
      }
    },
    rows: () => 0,
  });
}

const NEWLINE = 0x0a;

export function chunkChecker(
  entry: AsyncIterable<unknown>,
  name: string,
  translate: Translate,
): CheckedBytes {
  let lines = 0;
  let last = -1;
  return checked(entry, translate, {
    update(chunk) {
      for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) lines++;
      if (chunk.byteLength > 0) last = chunk[chunk.byteLength - 1]!;
    },
    end() {
      // JSON never holds a raw newline, so newlines count rows exactly; a chunk is never empty.
      if (lines === 0 || last !== NEWLINE) {
        throw invalidBackup(`${name} in the archive is damaged: it does not end with a whole row`, {
          entry: name,
        });
      }
    },
    rows: () => lines,
  });
}

function checked(entry: AsyncIterable<unknown>, translate: Translate, check: Check): CheckedBytes {
  let state: 'unread' | 'reading' | 'done' = 'unread';
  async function* read(): AsyncGenerator<Uint8Array> {
    if (state !== 'unread') throw new Error('an archive entry can be read only once');
    state = 'reading';
    try {
      for await (const chunk of entry) {
        const bytes = chunk as Uint8Array;
        check.update(bytes);
        yield bytes;
      }
    } catch (error) {
      throw translate(error);
    }
    check.end();
    state = 'done';
  }
  return {
    [Symbol.asyncIterator]: read,
    async finish() {
      if (state === 'done') return;
      if (state === 'reading') throw new Error('an archive entry was abandoned halfway');
      for await (const _ of read());
    },
    rows: () => check.rows(),
  };
}

/**
 * Rejects any request whose path parameters, query or JSON body hold a string with a NUL character
 * (U+0000), in keys or values. PostgreSQL cannot store NUL in text (SQLite can): without this the
 * same request would succeed on one backend and fail with a 500 on the other, and even a lookup by
 * such an id would be a database error instead of an answer.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidError } from '../core/errors.js';

export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const parts = [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const;
    for (const [part, value] of parts) {
      const path = findNul(value, part);
      if (path !== undefined) {
        const message = `${path} must not contain NUL (\\u0000) characters`;
        throw new InvalidError(message, { issues: [{ path, message: 'must not contain NUL characters' }] });
      }
    }
  });
}

/** The JSON path (`body.metrics[3].key`) of the first string holding a NUL, if any. */
function findNul(root: unknown, rootPath: string): string | undefined {
  // Metric batches carry tens of thousands of strings: a cheap scan first, paths only on a hit.
  if (!hasNul(root)) return undefined;
  const pending: [unknown, string][] = [[root, rootPath]];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], `${path}[${i}]`]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value).reverse()) {
        if (key.includes('\u0000')) return `${path} key ${JSON.stringify(key)}`;
        pending.push([child, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}

/** Iterative, so that a deeply nested body cannot overflow the stack; only containers are queued. */
function hasNul(root: unknown): boolean {
  if (typeof root === 'string') return root.includes('\u0000');
  if (typeof root !== 'object' || root === null) return false;
  const pending: object[] = [root];
  const visit = (child: unknown): boolean => {
    if (typeof child === 'string') return child.includes('\u0000');
    if (typeof child === 'object' && child !== null) pending.push(child);
    return false;
  };
  while (pending.length > 0) {
    const value = pending.pop()!;
    if (Array.isArray(value)) {
      for (const child of value) if (visit(child)) return true;
    } else {
      for (const key in value) {
        if (key.includes('\u0000') || visit((value as Record<string, unknown>)[key])) return true;
      }
    }
  }
  return false;
}

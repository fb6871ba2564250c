/**
 * What every command gets: where to write, the global flags (--json, --quiet, --url, --token), and a
 * lazily connected SDK client. The CLI is a thin layer over the SDK, so both speak the same API.
 */
import type { Command } from 'commander';
import { Slipway } from '../client/slipway.js';
import type { Env } from '../core/config.js';
import { table } from './format.js';

export interface CliIO {
  readonly stdout: { write(chunk: string | Uint8Array): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: Env;
  readonly cwd: string;
}

export interface GlobalOptions {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly url?: string;
  readonly token?: string;
}

export class CliContext {
  private connection: Promise<Slipway> | undefined;

  constructor(
    readonly io: CliIO,
    private readonly program: Command,
  ) {}

  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get json(): boolean {
    return this.options.json === true;
  }

  get quiet(): boolean {
    return this.options.quiet === true;
  }

  client(): Promise<Slipway> {
    const { url, token } = this.options;
    this.connection ??= Slipway.connect({
      env: this.io.env,
      cwd: this.io.cwd,
      ...(url === undefined ? {} : { url }),
      ...(token === undefined ? {} : { token }),
    });
    return this.connection;
  }

  /** Writes a line to stdout. */
  print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Progress and notes go to stderr, so stdout stays clean for pipes. */
  note(text: string): void {
    if (!this.quiet) this.io.stderr.write(`${text}\n`);
  }

  /**
   * One result in the three output modes: --json prints `value`, --quiet prints `ids`, otherwise
   * `human()` is printed.
   */
  emit(value: unknown, human: () => string, ids: () => readonly string[] = () => []): void {
    if (this.json) this.print(JSON.stringify(value, jsonReplacer, 2));
    else if (this.quiet) for (const id of ids()) this.print(id);
    else this.print(human());
  }

  table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
    return rows.length === 0 ? '(none)' : table(headers, rows);
  }

  async close(): Promise<void> {
    if (this.connection !== undefined) await (await this.connection.catch(() => undefined))?.close();
  }
}

/** JSON output matches the REST API: non-finite numbers as strings. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

/** Collects repeatable `--param k=v` style flags into a record. */
export function collectPairs(flag: string) {
  return (value: string, previous: Record<string, string> = {}): Record<string, string> => {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects key=value, got '${value}'`);
    return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
  };
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  ];
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseInteger(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${flag} expects a whole number, got '${value}'`);
    return Number(value);
  };
}

export interface PageFlags {
  readonly limit?: number;
  readonly pageToken?: string;
}

/** Adds --limit and --page-token to a listing command. */
export function withPaging(command: Command): Command {
  return command
    .option('--limit <n>', 'page size (1-1000)', parseInteger('--limit'))
    .option('--page-token <token>', 'continue a previous listing');
}

/** The paging flags that were given, as a PageRequest. */
export function pageFlags(options: PageFlags): PageFlags {
  return {
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.pageToken === undefined ? {} : { pageToken: options.pageToken }),
  };
}

/** The hint printed under a human table when there are more pages. */
export function morePages(nextPageToken: string | undefined): string {
  return nextPageToken === undefined ? '' : `\nmore: --page-token ${nextPageToken}`;
}

/** Runs the CLI in-process, as a user would type it, capturing its output and exit code. */
import { runCli } from '../../src/cli/main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for --json). */
  json<T = unknown>(): T;
}

export async function cli(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd = process.cwd(),
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: {
      write: (chunk: string | Uint8Array) =>
        (stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')),
    },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    cwd,
  });
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}

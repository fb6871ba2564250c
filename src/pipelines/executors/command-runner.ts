/**
 * Runs a `command` step as a child process in a process group of its own, so a timeout or a cancel
 * kills everything it started (SIGTERM, then SIGKILL after a grace period), and nothing it left in the
 * background outlives the step. Inputs arrive as environment variables and files, outputs are files in
 * $SLIPWAY_OUTPUT_DIR plus an optional outputs.json; stdout and stderr are the step's log.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonValue } from '../definition/index.js';
import { StepFailure } from './step-failure.js';
import type { LocalStepJob, StepIo } from './types.js';

const KILL_GRACE_MS = 2_000;
/** What a step sees of the server's environment: enough to find programs, nothing secret. */
const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'SHELL'];

export async function runCommand(
  job: LocalStepJob,
  cwd: string,
  io: StepIo,
): Promise<Record<string, JsonValue>> {
  const argv = job.argv ?? [];
  const outputDir = join(job.scratchDir, 'outputs');
  const inputsDir = join(job.scratchDir, 'inputs');
  await mkdir(outputDir, { recursive: true });
  await mkdir(inputsDir, { recursive: true });
  const inputEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.inputs)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    await writeFile(join(inputsDir, name), text);
    inputEnv[`SLIPWAY_INPUT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = text;
  }
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  Object.assign(env, inputEnv, {
    SLIPWAY_OUTPUT_DIR: outputDir,
    SLIPWAY_INPUTS_DIR: inputsDir,
    SLIPWAY_INPUTS: JSON.stringify(job.inputs),
    SLIPWAY_PIPELINE: job.pipeline,
    SLIPWAY_PIPELINE_RUN: job.pipelineRun,
    SLIPWAY_STEP: job.step.name,
    SLIPWAY_ATTEMPT: String(job.attempt),
    ...(job.item === undefined
      ? {}
      : { SLIPWAY_ITEM: JSON.stringify(job.item.value), SLIPWAY_ITEM_INDEX: String(job.item.index) }),
    ...job.env,
  });

  io.signal.throwIfAborted();
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8').on('data', (text: string) => io.log(text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => io.log(text));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  let escalation: NodeJS.Timeout | undefined;
  const onAbort = () => {
    killGroup('SIGTERM');
    escalation = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
  };
  io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', (error: NodeJS.ErrnoException) =>
          reject(
            new StepFailure(
              'STEP_FAILED',
              error.code === 'ENOENT'
                ? `cannot run '${argv[0]}': no such program on PATH or no such directory '${cwd}'`
                : `cannot run '${argv[0]}': ${error.message}`,
            ),
          ),
        );
        child.once('close', (code, signal) => resolve({ code, signal }));
      },
    );
    if (io.signal.aborted) throw io.signal.reason;
    if (exit.code !== 0) {
      throw new StepFailure(
        'STEP_FAILED',
        exit.code === null
          ? `'${argv.join(' ')}' was killed by ${exit.signal}`
          : `'${argv.join(' ')}' exited with code ${exit.code}`,
      );
    }
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    clearTimeout(escalation);
    // Whatever the command left running in the background goes with it.
    killGroup('SIGKILL');
  }
  return readOutputs(outputDir);
}

/** outputs.json's values; file outputs are found by the engine in the output directory. */
async function readOutputs(outputDir: string): Promise<Record<string, JsonValue>> {
  let text: string;
  try {
    text = await readFile(join(outputDir, 'outputs.json'), 'utf8');
  } catch {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StepFailure('OUTPUT_INVALID', `outputs.json is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new StepFailure('OUTPUT_INVALID', 'outputs.json must hold a JSON object of outputs by name');
  }
  return parsed as Record<string, JsonValue>;
}

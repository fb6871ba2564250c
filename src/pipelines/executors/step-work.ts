/**
 * Runs one attempt's work on this machine, wherever the attempt was scheduled from: copies file
 * inputs in, runs the step (an fn on a worker thread, a command as a process, a built-in in this
 * process), checks the answer against the declared outputs and stores file outputs as artifacts.
 * The local executor calls it directly; a queue worker calls it for the jobs it takes.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuiltinDeps, runBuiltin } from '../builtins/index.js';
import type { JsonValue } from '../definition/index.js';
import type { CodeCache } from './code-cache.js';
import { runCommand } from './command-runner.js';
import type { FnPool } from './fn-pool.js';
import { StepFailure } from './step-failure.js';
import type { StepFiles } from './step-files.js';
import { checkOutputs } from './step-outputs.js';
import type { LocalStepJob, StepIo, StepJob, StepResult } from './types.js';

export interface StepWorkDeps {
  readonly code: CodeCache;
  readonly threads: FnPool;
  readonly files: StepFiles;
  readonly builtins: BuiltinDeps;
  /** Where attempts get their scratch directories. */
  readonly scratchRoot: string;
}

export async function doStepWork(job: StepJob, io: StepIo, deps: StepWorkDeps): Promise<StepResult> {
  const item = job.item?.index;
  const scratchDir = join(
    deps.scratchRoot,
    job.pipelineRun,
    `${job.step.name}${item === undefined ? '' : `.${item}`}.${job.attempt}-${randomUUID().slice(0, 8)}`,
  );
  try {
    await mkdir(join(scratchDir, 'outputs'), { recursive: true });
    const inputs: Record<string, JsonValue> = { ...job.inputs };
    for (const name of job.fileInputs) {
      inputs[name] = await deps.files.download(inputs[name]!, join(scratchDir, 'inputs-files', name));
    }
    const answered = await runWork({ ...job, inputs, scratchDir }, io, deps);
    if (io.signal.aborted) throw io.signal.reason;
    const checked = checkOutputs(job.declared, answered, join(scratchDir, 'outputs'));
    return await deps.files.store(job.ctx, job.trackingRun, job.step.name, item, job.declared, checked);
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

async function runWork(job: LocalStepJob, io: StepIo, deps: StepWorkDeps): Promise<unknown> {
  const { step } = job;
  switch (step.kind) {
    case 'fn': {
      const bundle = job.code.bundles[step.name];
      if (bundle === undefined) {
        throw new StepFailure('STEP_FAILED', `the pipeline version has no code for fn step '${step.name}'`);
      }
      const path = await deps.code.bundle(bundle.digest);
      return deps.threads.run(
        {
          bundle: pathToFileURL(path).href,
          module: step.module,
          export: step.export,
          inputs: job.inputs,
          context: {
            outputDir: join(job.scratchDir, 'outputs'),
            pipeline: job.pipeline,
            pipelineRun: job.pipelineRun,
            step: step.name,
            attempt: job.attempt,
            ...(job.item === undefined ? {} : { item: job.item.value, itemIndex: job.item.index }),
          },
        },
        io,
      );
    }
    case 'command': {
      const root = await deps.code.files(job.code);
      return runCommand(job, step.cwd === undefined ? root : join(root, step.cwd), io);
    }
    case 'gate':
      throw new Error('gates are evaluated by the engine');
    default: {
      const workDir =
        Object.keys(job.code.files).length > 0 ? await deps.code.files(job.code) : process.cwd();
      return runBuiltin(
        {
          kind: step.kind,
          inputs: job.inputs,
          ctx: job.ctx,
          run: job.trackingRun,
          step: step.name,
          workDir,
          scratchDir: job.scratchDir,
          log: (line) => io.log(`${line}\n`),
          signal: io.signal,
        },
        deps.builtins,
      );
    }
  }
}

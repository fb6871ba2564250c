/**
 * The default executor: runs each attempt in this server process — `fn` steps on worker threads,
 * `command` steps as child processes, built-ins in process (their heavy work is off the event loop).
 */
import { availableParallelism } from 'node:os';
import type { BuiltinDeps } from '../builtins/index.js';
import type { CodeCache } from './code-cache.js';
import { FnPool } from './fn-pool.js';
import type { StepFiles } from './step-files.js';
import { doStepWork, type StepWorkDeps } from './step-work.js';
import type { StepExecutor, StepIo, StepJob, StepResult } from './types.js';

export class LocalExecutor implements StepExecutor {
  private readonly deps: StepWorkDeps;

  constructor(options: {
    code: CodeCache;
    files: StepFiles;
    builtins: BuiltinDeps;
    scratchRoot: string;
    threads?: number;
  }) {
    this.deps = { ...options, threads: new FnPool(options.threads ?? availableParallelism()) };
  }

  execute(job: StepJob, io: StepIo): Promise<StepResult> {
    return doStepWork(job, io, this.deps);
  }

  close(): Promise<void> {
    return this.deps.threads.close();
  }
}

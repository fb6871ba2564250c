/**
 * The quickstart's live view of a pipeline run: one line each time a step (or foreach item) changes
 * state, with how long it took once it has finished, so a log file reads like the run did.
 */
import type { PipelineRunInfo, StepRunInfo } from '../pipelines/index.js';
import { isStepFinished } from '../pipelines/index.js';

export type ProgressLine = (line: string) => void;

/** Answers an `onUpdate` for `waitForRun` that writes a line per state change. */
export function stepProgress(write: ProgressLine): (run: PipelineRunInfo) => void {
  const seen = new Map<string, string>();
  return (run) => {
    for (const step of run.steps ?? []) {
      const label = step.item === undefined ? step.step : `${step.step}#${step.item}`;
      if (seen.get(label) === step.status) continue;
      seen.set(label, step.status);
      if (step.status === 'pending') continue;
      write(describeStep(label, step));
    }
  };
}

function describeStep(label: string, step: StepRunInfo): string {
  const parts = [label.padEnd(14), step.status.padEnd(9)];
  if (isStepFinished(step.status) && step.startedAt !== undefined && step.finishedAt !== undefined) {
    parts.push(formatMs(Date.parse(step.finishedAt) - Date.parse(step.startedAt)).padStart(7));
  }
  if (step.attempt > 1) parts.push(`attempt ${step.attempt}`);
  if (step.cachedFrom !== undefined) parts.push(`(cached from run ${step.cachedFrom})`);
  if (step.reason !== undefined) parts.push(`(${step.reason})`);
  if (step.error !== undefined) parts.push(`${step.error.code}: ${step.error.message}`);
  return parts.join(' ').trimEnd();
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

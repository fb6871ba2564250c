/** Human output of pipelines: apply results, a version's header, runs, step tables and the watch view. */
import type { ApplyFileResult } from '../../client/pipelines-api.js';
import type {
  JsonValue,
  PipelineRunInfo,
  PipelineVersionInfo,
  RunTrigger,
  StepRunInfo,
} from '../../pipelines/index.js';
import { isStepFinished, parsePipeline, renderDag } from '../../pipelines/index.js';
import { fieldBlock, formatBytes, formatDuration, formatTime, orDash, shorten, table } from '../format.js';

export function describeApply(
  result: ApplyFileResult | Omit<ApplyFileResult, 'bundleSizes' | 'snapshotFiles'>,
): string {
  const { pipeline, version } = result;
  const lines = [
    result.created
      ? `applied ${pipeline.name} version ${version.version}`
      : `${pipeline.name} version ${version.version} unchanged`,
    `  ${version.spec.steps.length} steps, digest ${shortDigest(version.digest)}`,
  ];
  const sizes = 'bundleSizes' in result ? result.bundleSizes : {};
  for (const [step, size] of Object.entries(sizes)) lines.push(`  fn ${step}: bundle ${formatBytes(size)}`);
  if ('snapshotFiles' in result && result.snapshotFiles > 0)
    lines.push(`  files: ${result.snapshotFiles} shipped`);
  return lines.join('\n');
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** `show`: the version's header, then the DAG. */
export function describeVersion(version: PipelineVersionInfo, latest: number): string {
  const params = Object.entries(version.spec.params ?? {}).map(
    ([name, spec]) =>
      `${name}: ${spec.type}${spec.default === undefined ? ' (required)' : ` = ${JSON.stringify(spec.default)}`}${spec.description === undefined ? '' : `  ${spec.description}`}`,
  );
  const header = fieldBlock(`pipeline ${version.pipeline}`, [
    ['version', `${version.version}${version.version === latest ? ' (latest)' : ` (latest ${latest})`}`],
    ['digest', shortDigest(version.digest)],
    ['source', orDash(version.source)],
    ...(version.spec.description === undefined ? [] : [['description', version.spec.description] as const]),
    ['created', `${formatTime(version.createdAt)} by ${version.createdBy}`],
    ['params', params.length === 0 ? '-' : params[0]!],
    ...params.slice(1).map((line) => ['', line] as const),
  ]);
  let dag: string;
  try {
    dag = renderDag(parsePipeline(version.spec));
  } catch (error) {
    dag = `(the DAG cannot be drawn: ${(error as Error).message})\n`;
  }
  return `${header}\n\n${dag.trimEnd()}`;
}

export function describeTrigger(trigger: RunTrigger): string {
  switch (trigger.kind) {
    case 'retry':
      return `retry of ${trigger.of}${trigger.from === undefined ? '' : ` from ${trigger.from}`}`;
    case 'schedule':
      return `schedule ${trigger.schedule}`;
    case 'dataset':
      return `dataset ${trigger.dataset}`;
    case 'drift':
      return `drift (monitor ${trigger.monitor}, report ${trigger.report})`;
    default:
      return trigger.kind;
  }
}

export function runDuration(run: { readonly startedAt?: string; readonly finishedAt?: string }): string {
  return run.startedAt === undefined ? '-' : formatDuration(run.startedAt, run.finishedAt);
}

export function runsTable(runs: readonly PipelineRunInfo[]): string[][] {
  return runs.map((run) => [
    run.id,
    run.pipeline,
    String(run.version),
    run.status,
    describeTrigger(run.trigger),
    formatTime(run.createdAt),
    runDuration(run),
  ]);
}

export const RUNS_HEADERS = ['ID', 'PIPELINE', 'VERSION', 'STATUS', 'TRIGGER', 'CREATED', 'DURATION'];

/** A finished step without an end time (a foreach step's own row) has no duration to show. */
export function stepDuration(step: StepRunInfo): string {
  if (isStepFinished(step.status) && step.finishedAt === undefined) return '-';
  return runDuration(step);
}

export function stepLabel(step: { readonly step: string; readonly item?: number }): string {
  return step.item === undefined ? step.step : `${step.step}#${step.item}`;
}

function summariseValue(value: JsonValue): string {
  return shorten(typeof value === 'string' ? value : JSON.stringify(value), 32);
}

export function summariseOutputs(outputs: StepRunInfo['outputs']): string {
  if (outputs === undefined) return '-';
  const entries = Object.entries(outputs);
  if (entries.length === 0) return '-';
  return shorten(entries.map(([key, value]) => `${key}=${summariseValue(value)}`).join(', '), 64);
}

/** Cache hit, skip/cancel reason or error of a step. */
export function stepNote(step: StepRunInfo): string {
  const notes: string[] = [];
  if (step.cachedFrom !== undefined) notes.push(`cached from ${step.cachedFrom}`);
  if (step.reason !== undefined) notes.push(step.reason);
  if (step.error !== undefined) notes.push(`${step.error.code}: ${step.error.message}`);
  if (step.retryAt !== undefined && !isStepFinished(step.status))
    notes.push(`retry at ${formatTime(step.retryAt)}`);
  return notes.join('; ');
}

/** `status`: the run's header, then a table of every step (and foreach item). */
export function describeRun(run: PipelineRunInfo): string {
  const header = fieldBlock(`pipeline run ${run.id}`, [
    ['pipeline', `${run.pipeline} version ${run.version}`],
    [
      'status',
      `${run.status}${run.cancelRequested && run.status === 'running' ? ' (cancel requested)' : ''}`,
    ],
    ['trigger', describeTrigger(run.trigger)],
    ['executor', `${run.executor}${run.useCache ? '' : ', no cache'}`],
    [
      'params',
      orDash(
        Object.entries(run.params)
          .map(([key, value]) => `${key}=${summariseValue(value)}`)
          .join(', '),
      ),
    ],
    ['tracking run', run.run],
    ['created', `${formatTime(run.createdAt)} by ${run.createdBy}`],
    ['took', runDuration(run)],
    ...(run.error === undefined ? [] : [['error', `${run.error.code}: ${run.error.message}`] as const]),
  ]);
  const steps = run.steps ?? [];
  if (steps.length === 0) return header;
  const rows = steps.map((step) => [
    stepLabel(step),
    step.status,
    String(step.attempt),
    stepDuration(step),
    summariseOutputs(step.outputs),
    orDash(stepNote(step)),
  ]);
  return `${header}\n\n${table(['STEP', 'STATUS', 'ATTEMPT', 'DURATION', 'OUTPUTS', 'NOTE'], rows)}`;
}

/** Steps (by name; a foreach step counts once) finished, of all. */
export function stepProgress(run: PipelineRunInfo): { readonly done: number; readonly total: number } {
  const finished = new Map<string, boolean>();
  for (const step of run.steps ?? [])
    finished.set(step.step, (finished.get(step.step) ?? true) && isStepFinished(step.status));
  return { done: [...finished.values()].filter(Boolean).length, total: finished.size };
}

export function progressBar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} steps`;
}

/**
 * One line of the watch view for a step. Without `live` an unfinished step shows no running time,
 * so that printing only changed lines does not print it again on every poll.
 */
export function watchLine(step: StepRunInfo, live = true): string {
  const parts = [stepLabel(step).padEnd(24), step.status.padEnd(9), `attempt ${step.attempt}`];
  if (step.startedAt !== undefined && (live || isStepFinished(step.status))) parts.push(stepDuration(step));
  const note = stepNote(step);
  if (note !== '') parts.push(shorten(note, 120));
  return `  ${parts.join('  ')}`;
}

/** The watch view: a title, a line per step, the progress bar. */
export function watchLines(run: PipelineRunInfo, live = true): string[] {
  const { done, total } = stepProgress(run);
  return [
    `run ${run.id} (${run.pipeline} version ${run.version}): ${run.status}${run.cancelRequested && run.status === 'running' ? ', cancel requested' : ''}`,
    ...(run.steps ?? []).map((step) => watchLine(step, live)),
    progressBar(done, total),
  ];
}

/**
 * Following a pipeline run from the CLI: the live step view of `pipelines run --watch` (redrawn in
 * place on a terminal, changed lines only otherwise) and `pipelines logs --follow`.
 */
import type { Slipway } from '../../client/slipway.js';
import type { LogChunk, PipelineRunInfo } from '../../pipelines/index.js';
import { isRunFinished } from '../../pipelines/index.js';
import type { CliContext } from '../context.js';
import { stepLabel, watchLines } from './pipelines-format.js';

export const WATCH_INTERVAL_MS = 500;

/** Polls the run every 500 ms and shows its steps until it has finished; answers the final run. */
export async function watchRun(ctx: CliContext, sw: Slipway, id: string): Promise<PipelineRunInfo> {
  const tty = ctx.io.stdout.isTTY === true;
  const show = !ctx.json && !ctx.quiet;
  let drawn = 0;
  let previous: string[] = [];
  return sw.pipelines.waitForRun(id, {
    intervalMs: WATCH_INTERVAL_MS,
    onUpdate: (run) => {
      if (!show) return;
      const lines = watchLines(run, tty);
      if (tty) {
        const up = drawn > 0 ? `\x1b[${drawn}A\r\x1b[0J` : '';
        ctx.io.stdout.write(`${up}${lines.join('\n')}\n`);
        drawn = lines.length;
        return;
      }
      // Not a terminal: only the lines that changed since the last poll.
      const seen = new Set(previous);
      const changed = lines.filter((line) => !seen.has(line));
      if (changed.length > 0) ctx.io.stdout.write(`${changed.join('\n')}\n`);
      previous = lines;
    },
  });
}

/** Which logs to read: a step (and foreach item), with the last chunk seen. */
interface LogKey {
  readonly step: string;
  readonly item?: number;
}

/** Complete lines of log text with a prefix; partial lines wait for the rest. */
export class LogPrinter {
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly prefixed: boolean,
  ) {}

  add(chunk: LogChunk): void {
    const label = stepLabel(chunk);
    const text = (this.pending.get(label) ?? '') + chunk.text;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.pending.set(label, text);
      return;
    }
    this.pending.set(label, text.slice(end + 1));
    this.emit(label, text.slice(0, end));
  }

  /** Whatever partial lines remain. */
  flush(): void {
    for (const [label, text] of this.pending) if (text !== '') this.emit(label, text);
    this.pending.clear();
  }

  private emit(label: string, text: string): void {
    const prefix = this.prefixed ? `[${label}] ` : '';
    this.write(
      `${text
        .split('\n')
        .map((line) => prefix + line)
        .join('\n')}\n`,
    );
  }
}

/** The steps (and items) of the run whose logs are wanted. */
function logKeys(run: PipelineRunInfo, filter: { step?: string; item?: number }): LogKey[] {
  return (run.steps ?? [])
    .filter(
      (step) =>
        (filter.step === undefined || step.step === filter.step) &&
        (filter.item === undefined || step.item === filter.item),
    )
    .map((step) => (step.item === undefined ? { step: step.step } : { step: step.step, item: step.item }));
}

/**
 * Prints logs. Without `follow`, what there is now; with it, polls every 500 ms per step (after the
 * last chunk seen) until the run has finished and every log is drained.
 */
export async function printLogs(
  ctx: CliContext,
  sw: Slipway,
  id: string,
  filter: { step?: string; item?: number },
  follow: boolean,
): Promise<void> {
  const printer = new LogPrinter((text) => ctx.io.stdout.write(text), filter.step === undefined);
  if (!follow && filter.step === undefined) {
    const chunks = await sw.pipelines.logs(id);
    if (ctx.json) ctx.print(JSON.stringify({ chunks }, null, 2));
    else for (const chunk of chunks) printer.add(chunk);
    printer.flush();
    return;
  }
  const last = new Map<string, number>();
  const all: LogChunk[] = [];
  for (;;) {
    const run = await sw.pipelines.getRun(id);
    const finished = isRunFinished(run.status);
    const keys = logKeys(run, filter);
    if (keys.length === 0 && filter.step !== undefined) {
      // Let the server name the problem (no such step).
      await sw.pipelines.logs(id, filter);
    }
    // Once the run has finished, read until nothing new comes (a read returns at most a page).
    let fresh = true;
    while (fresh) {
      fresh = false;
      for (const key of keys) {
        const label = stepLabel(key);
        const afterSeq = last.get(label);
        const chunks = await sw.pipelines.logs(id, {
          ...key,
          ...(afterSeq === undefined ? {} : { afterSeq }),
        });
        for (const chunk of chunks) {
          last.set(label, Math.max(last.get(label) ?? 0, chunk.seq));
          if (ctx.json) all.push(chunk);
          else printer.add(chunk);
        }
        if (chunks.length > 0) fresh = finished;
      }
    }
    if (finished || !follow) break;
    await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
  }
  printer.flush();
  if (ctx.json) ctx.print(JSON.stringify({ chunks: all }, null, 2));
}

/**
 * The quickstart's second act, the loop the product exists for: the world moves (customers from
 * world b), the monitor finds drift on the features that moved and starts the retraining pipeline,
 * which serves a new version as a 10% challenger; labels arrive for live predictions, and the
 * deployment's policy compares the two on them and promotes the challenger. Each claim is read back
 * through the API (reports, alerts, runs, decisions, the audit log), not assumed.
 */
import type { Slipway } from '../client/slipway.js';
import { SlipwayError } from '../core/errors.js';
import type { MonitorReport } from '../monitoring/index.js';
import type { PipelineRunInfo } from '../pipelines/index.js';
import { churnRows } from './churn-data.js';
import type { DemoReporter } from './demo.js';
import { formatMs, stepProgress } from './pipeline-progress.js';
import { RETRAIN_PIPELINE, retrainExampleFile } from './retrain-example.js';

/** Rows in the monitor's window, all sent from the moved world before it evaluates. */
const WINDOW_ROWS = 1000;
/** Labelled rows sent after the challenger is in, and the samples per route the policy waits for. */
const LABELLED_ROWS = 5000;
const MIN_SAMPLES = 100;
const ROWS_PER_REQUEST = 10;

export interface LoopResult {
  readonly monitor: string;
  readonly driftReport: string;
  readonly driftedFeatures: readonly string[];
  readonly retrainRun: string;
  readonly challenger: string;
  readonly decision: string;
  readonly champion: string;
}

export async function runLoop(sw: Slipway, deployment: string, report: DemoReporter): Promise<LoopResult> {
  const { say } = report;
  const since = new Date().toISOString();
  const applied = await sw.pipelines.apply(retrainExampleFile());
  say(
    `applied pipeline ${applied.pipeline.name} version ${applied.version.version}: the retraining the monitor starts on drift`,
  );

  const monitor = await freshMonitor(sw, deployment);
  say(
    `monitor ${monitor.name} watches deployment ${deployment}: the last ${WINDOW_ROWS} rows against the champion's training data, on drift runs pipeline ${RETRAIN_PIPELINE}`,
  );

  // The world moves: prices, support calls and cheques go up, and who churns changes.
  await predictAll(sw, deployment, churnRows(WINDOW_ROWS, 1001, 'b'));
  const drift = await evaluateFull(sw, monitor.name);
  const moved =
    drift.inputs?.columns
      .filter((c) => c.drifted)
      .map((c) => `${c.column} (${c.test} ${(c.pvalue ?? c.distance ?? c.statistic).toPrecision(3)})`) ?? [];
  const still = drift.inputs?.columns.filter((c) => !c.drifted).map((c) => c.column) ?? [];
  if (drift.drift !== true)
    throw new Error(`monitor report ${drift.id} found no drift in traffic from the moved world`);
  say(
    `monitor report ${drift.id}: drift in ${moved.join(', ')}; unchanged: ${still.join(', ')}; predictions drifted: ${drift.predictionDrift ? 'yes' : 'no'}`,
  );

  const run = await onDriftRun(sw, monitor.name, report);
  const challenger = String(run.steps?.find((s) => s.step === 'train')?.outputs?.model);
  const served = await sw.deployments.get(deployment);
  say(
    `retraining run ${run.id} (started by the drift) registered ${challenger}; deployment ${deployment} revision ${served.revision} serves ${served.routes.map((r) => `${r.weight}% ${r.reference} = ${r.model}@${r.version}`).join(', ')}`,
  );

  await sw.deployments.policy.set(deployment, { metric: 'accuracy', minSamples: MIN_SAMPLES, alpha: 0.05 });
  const labelled = await predictAll(sw, deployment, churnRows(LABELLED_ROWS, 2002, 'b'));
  const accepted = await sendLabels(sw, deployment, labelled);
  say(
    `sent ${LABELLED_ROWS} more customers from the moved world, then their true outcomes: ${accepted} labels accepted`,
  );

  const decision = await sw.deployments.policy.evaluate(deployment);
  if (decision.outcome !== 'promote') {
    throw new Error(`the policy decided '${decision.outcome}': ${decision.reason}`);
  }
  say(`policy decision: promote — ${decision.reason}`);
  const after = await sw.deployments.get(deployment);
  const champion = await sw.models.version('churn@champion');
  say(
    `churn@champion is now churn@${champion.version}; deployment ${deployment} revision ${after.revision} serves ${after.routes.map((r) => `${r.weight}% ${r.reference} = ${r.model}@${r.version}`).join(', ')}`,
  );
  const audit = await sw.audit.list({ since, limit: 1000 });
  const story = [...audit.items]
    .reverse()
    .filter((e) =>
      /^(monitor\.drift|pipeline\.run|model\.alias|deployment\.(update|follow-alias|decision))/.test(
        e.action,
      ),
    )
    .map((e) => `${e.action} by ${e.actor}`);
  say(`the audit log tells it in order: ${story.join(' → ')}`);
  return {
    monitor: monitor.name,
    driftReport: drift.id,
    driftedFeatures: drift.driftedFeatures ?? [],
    retrainRun: run.id,
    challenger,
    decision: decision.outcome,
    champion: `churn@${champion.version}`,
  };
}

/** The quickstart's monitor, made anew so an earlier run's cooldown does not hold back this one. */
async function freshMonitor(sw: Slipway, deployment: string) {
  await sw.monitors.delete(deployment).catch((error: unknown) => {
    if (!(error instanceof SlipwayError && error.code === 'MONITOR_NOT_FOUND')) throw error;
  });
  return sw.monitors.create({
    deployment,
    window: WINDOW_ROWS,
    onDrift: `pipeline:${RETRAIN_PIPELINE}`,
    cooldown: '1h',
  });
}

/** Predicts `rows` (without their outcome) and answers each row's request id with its true label. */
async function predictAll(sw: Slipway, deployment: string, rows: ReturnType<typeof churnRows>) {
  const labels: { requestId: string; rowIndex: number; label: string }[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_REQUEST) {
    const chunk = rows.slice(i, i + ROWS_PER_REQUEST);
    const answer = await sw.deployments.predict(
      deployment,
      chunk.map(({ churned: _, ...features }) => features),
    );
    for (const [rowIndex, row] of chunk.entries()) {
      labels.push({ requestId: answer.requestId, rowIndex, label: String(row.churned) });
    }
  }
  return labels;
}

/**
 * Sends the labels; those of predictions the log has not written yet (it writes every 250 ms) come
 * back as unknown and are sent again.
 */
async function sendLabels(
  sw: Slipway,
  deployment: string,
  labels: readonly { requestId: string; rowIndex: number; label: string }[],
): Promise<number> {
  let pending = labels;
  let accepted = 0;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const result = await sw.deployments.feedback(deployment, pending);
    accepted += result.accepted;
    const unknown = new Set(result.unknown.map((u) => u.index));
    pending = pending.filter((_, index) => unknown.has(index));
    if (pending.length > 0 && attempt >= 40)
      throw new Error(`${pending.length} labels matched no logged prediction`);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return accepted;
}

/** Evaluates until the window holds every row sent (the log is written a moment after the answers). */
async function evaluateFull(sw: Slipway, monitor: string): Promise<MonitorReport> {
  for (let attempt = 0; ; attempt++) {
    const started = await sw.monitors.evaluate(monitor);
    const report = await sw.monitors.waitForReport(monitor, started.id);
    if (report.status === 'succeeded' && (report.rows ?? 0) >= WINDOW_ROWS) return report;
    if (attempt >= 40)
      throw new Error(
        `monitor report ${report.id} is ${report.status}: ${report.error?.message ?? `${report.rows} rows`}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The retraining run the drift started, followed to its end. */
async function onDriftRun(sw: Slipway, monitor: string, report: DemoReporter): Promise<PipelineRunInfo> {
  const started = Date.now();
  for (;;) {
    const alerts = await sw.monitors.alerts(monitor);
    // The monitor is new, so the one run it starts is the first drift's; evaluations that drifted
    // while the window was still filling list theirs as skipped (the cooldown).
    const alert = alerts.items.find((a) => a.kind === 'pipeline' && a.status !== 'skipped');
    if (alert?.status === 'delivered') {
      const id = String(alert.result?.run);
      report.say(`alert ${alert.id}: drift in report ${alert.report} started pipeline run ${id}; its steps:`);
      const run = await sw.pipelines.waitForRun(id, {
        intervalMs: 250,
        onUpdate: stepProgress(report.progress),
      });
      if (run.status !== 'succeeded')
        throw new Error(`retraining run ${run.id} ${run.status}: ${run.error?.message ?? ''}`);
      const took = Date.parse(run.finishedAt ?? run.updatedAt) - Date.parse(run.startedAt ?? run.createdAt);
      report.say(`retraining run ${run.id} succeeded in ${formatMs(took)}`);
      return run;
    }
    if (alert?.status === 'failed') throw new Error(`the on-drift run was not started: ${alert.lastError}`);
    if (Date.now() - started > 60_000)
      throw new Error('no on-drift pipeline run within a minute of the drift');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * An AutoML job survives its server being SIGKILLed mid-search: the restarted server (same home and
 * database) resumes the job, reuses the trials that finished before the kill instead of running them
 * again, marks the trial runs the kill interrupted as failed, and finishes with one finished child
 * run per trial and one registered version.
 */
import { describe, expect, it } from 'vitest';
import type { AutomlJob, Run } from '../../src/client/index.js';
import { seededRandom } from '../../src/training/random.js';
import { BACKENDS } from '../support/backends.js';
import { childServerPerTest } from '../support/child-server.js';
import { childRuns } from './child-runs.js';

const MAX_TRIALS = 12;
const TRIAL_TAG = 'slipway.automl.trial';

/** Loans with a few numeric and categorical columns (some missing) and a string target. */
function loansCsv(count: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const purposes = ['car', 'home', 'study', 'travel'];
  const lines = ['income,debt,years,purpose,outcome'];
  for (let i = 0; i < count; i++) {
    const income = Math.round(20 + random() * 180);
    const debt = Math.round(random() * 100);
    const years = Math.floor(random() * 30);
    const purpose = purposes[Math.floor(random() * purposes.length)]!;
    const score = income / 50 - debt / 25 + years / 10 + (purpose === 'study' ? 1 : 0) + random() * 2 - 1;
    lines.push(
      [
        random() < 0.1 ? '' : income,
        debt,
        random() < 0.1 ? '' : years,
        random() < 0.1 ? '' : purpose,
        score > 1 ? 'repaid' : 'defaulted',
      ].join(','),
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe.each(BACKENDS)('an AutoML job across a server kill on %s', (backend) => {
  const { start, connect } = childServerPerTest();

  it('resumes after a SIGKILL without re-running finished trials', async () => {
    const server = await start(backend);
    const sw = await connect(server);
    await sw.datasets.push('loans', loansCsv(3000, 3), { format: 'csv' });
    const started = await sw.automl.start({
      dataset: 'loans@1',
      target: 'outcome',
      register: 'loans',
      maxTrials: MAX_TRIALS,
      timeBudgetSeconds: 600,
      parallelism: 2,
      folds: 3,
      searchSpace: {
        // Trials long enough (GBDT only) that one in flight when the snapshot is taken is still
        // running a moment later, when the kill lands.
        gbdt: {
          iterations: { type: 'int', min: 200, max: 400 },
          maxLeaves: { type: 'int', min: 4, max: 16 },
          minSamplesLeaf: { type: 'int', min: 5, max: 20 },
        },
      },
    });
    const experiment = started.spec.experiment;

    // Wait until the search is under way with some trials kept and others running, then kill.
    let before: AutomlJob;
    let snapshot: Run[] = [];
    for (;;) {
      before = await sw.automl.get(started.id);
      expect(before.status).not.toBe('failed');
      expect(before.status, 'the job finished before the kill; make it bigger').not.toBe('succeeded');
      if (before.status === 'running' && before.progress.trialsDone >= 2) {
        snapshot = await childRuns(sw, experiment, started.run);
        // A trial is stored before its run is ended, so a `running` run may be a trial already kept:
        // wait until more runs are running than trials kept without their run ended (read after the
        // snapshot, so at least as many as at it).
        const kept = (await sw.automl.get(started.id)).progress.trialsDone;
        const finished = snapshot.filter((run) => run.status === 'finished').length;
        const running = snapshot.filter((run) => run.status === 'running').length;
        if (finished >= 1 && running > kept - finished) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await server.kill('SIGKILL');
    const finishedBeforeKill = snapshot.filter((run) => run.status === 'finished');
    const runningAtKill = snapshot.filter((run) => run.status === 'running');
    expect(before.progress.trialsDone).toBeLessThan(MAX_TRIALS);
    expect(finishedBeforeKill.length).toBeGreaterThanOrEqual(1);

    await server.restart();
    const after = await connect(server);
    const job = await after.automl.wait(started.id, { intervalMs: 200 });
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');
    expect(job.progress).toMatchObject({
      trialsDone: MAX_TRIALS,
      trialsFailed: 0,
      trialsPlanned: MAX_TRIALS,
    });
    const result = job.result!;
    expect(result.stoppedBy).toBe('trials');
    expect(result.leaderboard).toHaveLength(MAX_TRIALS);
    expect(result.modelVersion).toBe('loans@1');
    expect((await after.models.versions('loans')).items.map((v) => v.version)).toEqual([1]);
    expect((await after.runs.get(started.run)).status).toBe('finished');

    const children = await childRuns(after, experiment, started.run);
    const finished = children.filter((run) => run.status === 'finished');
    const trialIds = new Set(children.map((run) => run.tags[TRIAL_TAG]));
    // one finished run per trial, and every trial has one
    expect(finished).toHaveLength(trialIds.size);
    expect(new Set(finished.map((run) => run.tags[TRIAL_TAG])).size).toBe(finished.length);
    expect(trialIds.size).toBe(MAX_TRIALS);
    // the leaderboard points at those runs, including the ones that finished before the kill
    const leaderboardRuns = new Map(result.leaderboard.map((entry) => [String(entry.trial), entry.run]));
    for (const run of finished) expect(leaderboardRuns.get(run.tags[TRIAL_TAG]!)).toBe(run.id);
    for (const run of finishedBeforeKill) {
      expect(leaderboardRuns.get(run.tags[TRIAL_TAG]!), `trial ${run.tags[TRIAL_TAG]} was run again`).toBe(
        run.id,
      );
    }
    // trial runs the kill interrupted are failed, with the reason
    const others = children.filter((run) => run.status !== 'finished');
    for (const run of others) {
      expect(run.status).toBe('failed');
      expect(run.tags['slipway.automl.error']).toBe('interrupted by a server restart');
    }
    expect(children).toHaveLength(finished.length + others.length);
    // the runs in flight at the kill: interrupted (or, at the very last moment, finished and kept)
    const byId = new Map(children.map((run) => [run.id, run]));
    const interrupted = runningAtKill.filter((run) => byId.get(run.id)!.status === 'failed');
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    for (const run of runningAtKill) {
      if (byId.get(run.id)!.status === 'finished')
        expect(leaderboardRuns.get(run.tags[TRIAL_TAG]!)).toBe(run.id);
    }
    // ... and their trials ran again, to a finished run of their own
    for (const run of interrupted) {
      const rerun = finished.find((other) => other.tags[TRIAL_TAG] === run.tags[TRIAL_TAG]);
      expect(rerun?.id).toBe(leaderboardRuns.get(run.tags[TRIAL_TAG]!));
      expect(rerun?.id).not.toBe(run.id);
    }
  });
});

/**
 * Champion/challenger policies end to end on a real server (SQLite, and PostgreSQL when configured):
 * two classifiers behind a 50/50 split, predictions through the deployment, labels posted as
 * feedback (chosen so that one version is right far more often), then the policy's decisions
 * through the SDK, REST and CLI: wait before the minimum sample size, promote a better challenger,
 * roll back a worse one, only notify, roll back on a guardrail, be blocked by an approval policy,
 * and decide by itself on its schedule.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDecision, Slipway } from '../../src/client/index.js';
import { systemContext } from '../../src/core/context.js';
import { gbdtToOnnx, trainGbdt } from '../../src/training/gbdt/index.js';
import { seededRandom } from '../../src/training/random.js';
import type { Table } from '../../src/training/table.js';
import { BACKENDS } from '../support/backends.js';
import { cli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PLANS = ['basic', 'pro', 'team'];
const CLASSES = ['stay', 'churn'];
const FEATURES = [
  { name: 'tenure', type: 'numeric' as const },
  { name: 'plan', type: 'categorical' as const, categories: PLANS },
];

interface Instance {
  readonly tenure: number;
  readonly plan: string;
}

function instances(count: number, seed: number): Instance[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    tenure: i % 3 === 0 ? 1 + (i % 7) : Math.floor(random() * 72),
    plan: i % 3 === 0 ? 'basic' : PLANS[Math.floor(random() * 3)]!,
  }));
}

function tableOf(rows: readonly Instance[]): Table {
  return {
    rows: rows.length,
    features: [
      { kind: 'numeric', name: 'tenure', values: Float64Array.from(rows, (r) => r.tenure) },
      { kind: 'categorical', name: 'plan', values: rows.map((r) => r.plan) },
    ],
  };
}

function models() {
  const rows = instances(400, 3);
  const random = seededRandom(4);
  const labels = Int32Array.from(rows, (r) =>
    r.tenure < 15 && r.plan === 'basic' ? 1 : random() < 0.15 ? 1 : 0,
  );
  const target = { kind: 'classification' as const, classes: CLASSES, labels };
  return [
    trainGbdt(tableOf(rows), target, { iterations: 10, maxLeaves: 8, seed: 1 }),
    trainGbdt(tableOf(rows), target, { iterations: 3, maxLeaves: 4, seed: 2 }),
  ];
}

interface Served {
  readonly requestId: string;
  readonly version: number;
  readonly predictions: readonly unknown[];
}

describe.each(BACKENDS)('champion/challenger policies on %s', (backend) => {
  let t: TestServer;
  let sw: Slipway;
  let onnx: Uint8Array[];
  const run = (...argv: string[]) => cli(argv, { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.adminToken }, t.home);

  beforeAll(async () => {
    t = await startTestServer(backend);
    sw = t.sw;
    onnx = models().map((model) => gbdtToOnnx(model));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Model `name` with versions 1 and 2, champion = 1, and deployment `name` splitting 50/50. */
  async function scenario(name: string): Promise<void> {
    const registry = t.server.platform.registry;
    for (const bytes of onnx)
      await registry.versions.register(systemContext('test'), name, Readable.from([bytes]), {
        features: FEATURES,
        classes: CLASSES,
      });
    await sw.models.alias.set(name, 'champion', 1);
    await sw.deployments.create(name, {
      routes: [
        { model: `${name}@champion`, weight: 50 },
        { model: `${name}@2`, weight: 50 },
      ],
    });
  }

  /** `requests` predictions of 2 rows each, written to the log. */
  async function traffic(name: string, requests: number): Promise<Served[]> {
    const served: Served[] = [];
    for (let r = 0; r < requests; r++) {
      const answer = await sw.deployments.predict(
        name,
        instances(2, 100 + r) as unknown as Record<string, unknown>[],
      );
      served.push({
        requestId: answer.requestId,
        version: Number(answer.modelVersion.split('@')[1]),
        predictions: answer.predictions,
      });
    }
    await t.server.platform.serving.flushLog();
    return served;
  }

  /**
   * Labels every row: version 2's answers are right unless `wrong2(i)`, version 1's unless
   * `wrong1(i)` (i counts each version's rows). Answers the labelled rows per version.
   */
  async function label(
    name: string,
    served: readonly Served[],
    wrong1: (i: number) => boolean,
    wrong2: (i: number) => boolean,
  ): Promise<Record<number, number>> {
    const counts: Record<number, number> = { 1: 0, 2: 0 };
    const labels = served.flatMap((s) =>
      s.predictions.map((prediction, rowIndex) => {
        const i = counts[s.version]!++;
        const wrong = s.version === 2 ? wrong2(i) : wrong1(i);
        const other = prediction === 'churn' ? 'stay' : 'churn';
        return { requestId: s.requestId, rowIndex, label: wrong ? other : String(prediction) };
      }),
    );
    const result = await sw.deployments.feedback(name, labels);
    expect(result.accepted).toBe(labels.length);
    return counts;
  }
  const often = (i: number) => i % 10 === 0; // wrong 10 % of the time
  const half = (i: number) => i % 2 === 0; // wrong half the time

  const auditSince = async (since: string) =>
    [...(await sw.audit.list({ since, limit: 1000 })).items].reverse();

  it('waits for the minimum sample size and says how many labels each version has', async () => {
    await scenario('wait-a');
    const counts = await label('wait-a', await traffic('wait-a', 20), often, half);
    const policy = await sw.deployments.policy.set('wait-a', { minSamples: 1000, evaluateEvery: '1h' });
    expect(policy).toMatchObject({ deployment: 'wait-a', minSamples: 1000, alpha: 0.05, minEffect: 0 });
    expect(policy.onBetter).toBe('promote');
    expect(policy.onWorse).toBe('rollback');
    const before = await sw.deployments.get('wait-a');
    const decision = await sw.deployments.policy.evaluate('wait-a');
    expect(decision.outcome).toBe('wait');
    expect(decision.reason).toBe(
      `not yet: ${counts[2]}/1000 labelled samples for wait-a@2, ${counts[1]}/1000 labelled samples for wait-a@1`,
    );
    expect(decision.evidence).toMatchObject({
      metric: 'accuracy',
      champion: { samples: counts[1] },
      challenger: { samples: counts[2] },
    });
    expect(decision.champion).toEqual({ reference: 'wait-a@champion', model: 'wait-a', version: 1 });
    expect(decision.challenger).toEqual({ reference: 'wait-a@2', model: 'wait-a', version: 2 });
    expect((await sw.deployments.get('wait-a')).revision).toBe(before.revision);
    const page = await sw.deployments.decisions('wait-a');
    expect(page.items.map((d) => d.id)).toEqual([decision.id]);
  }, 60_000);

  it('promotes a better challenger: alias moved, all traffic to the champion, decision audited', async () => {
    await scenario('promo');
    const since = new Date().toISOString();
    await label('promo', await traffic('promo', 60), half, often);
    await sw.deployments.policy.set('promo', { minSamples: 30, evaluateEvery: '1h' });
    const waited = await sw.deployments.policy.set('promo', { minSamples: 30, evaluateEvery: '1h' });
    expect(waited.minSamples).toBe(30);
    const decision = await sw.deployments.policy.evaluate('promo');
    expect(decision.outcome, decision.reason).toBe('promote');
    expect(decision.evidence.test).toBe('z-test');
    expect(Number(decision.evidence.pValue)).toBeLessThan(0.05);
    expect(Number(decision.evidence.effect)).toBeGreaterThan(0.2);
    expect(decision.evidence.applied?.alias).toEqual({ model: 'promo', alias: 'champion', from: 1, to: 2 });
    expect(decision.reason).toMatch(/^challenger is better: accuracy .* promoted promo@2/);

    expect((await sw.models.alias.get('promo', 'champion')).version).toBe(2);
    const deployment = await sw.deployments.get('promo');
    expect(deployment.routes).toEqual([
      expect.objectContaining({ reference: 'promo@champion', model: 'promo', version: 2, weight: 100 }),
    ]);
    expect(deployment.revision).toBe(decision.evidence.applied?.revision);

    const events = (await auditSince(since)).filter((e) =>
      /^(model\.alias\.set|deployment\.(follow-alias|update|decision))$/.test(e.action),
    );
    expect(events.map((e) => `${e.action} ${e.actor}`)).toEqual([
      'model.alias.set policy:promo',
      'deployment.follow-alias policy:promo',
      'deployment.update policy:promo',
      'deployment.decision admin',
    ]);
    expect(events.at(-1)!.after).toMatchObject({ outcome: 'promote', id: decision.id });

    // Nothing left to compare now.
    const next = await sw.deployments.policy.evaluate('promo');
    expect(next.outcome).toBe('none');
    expect(next.reason).toMatch(/^nothing to compare/);
    const decisions = await sw.deployments.decisions('promo');
    expect(decisions.items.map((d) => d.outcome)).toEqual(['none', 'promote']);
  }, 60_000);

  it('rolls back a worse challenger: its weight goes to 0, the alias stays', async () => {
    await scenario('worse');
    await label('worse', await traffic('worse', 60), often, half);
    await sw.deployments.policy.set('worse', { minSamples: 30, evaluateEvery: '1h' });
    const decision = await sw.deployments.policy.evaluate('worse');
    expect(decision.outcome, decision.reason).toBe('rollback');
    expect(Number(decision.evidence.effect)).toBeLessThan(-0.2);
    expect((await sw.models.alias.get('worse', 'champion')).version).toBe(1);
    const deployment = await sw.deployments.get('worse');
    expect(deployment.routes.map((r) => [r.reference, r.version, r.weight])).toEqual([
      ['worse@champion', 1, 100],
      ['worse@2', 2, 0],
    ]);
    const revision = await sw.deployments.revision('worse', deployment.revision);
    expect(revision.actor).toBe('policy:worse');
  }, 60_000);

  it('only notifies when the policy says so, changing nothing', async () => {
    await scenario('quiet');
    await label('quiet', await traffic('quiet', 60), half, often);
    await sw.deployments.policy.set('quiet', { minSamples: 30, onBetter: 'notify', evaluateEvery: '1h' });
    const before = await sw.deployments.get('quiet');
    const decision = await sw.deployments.policy.evaluate('quiet');
    expect(decision.outcome, decision.reason).toBe('notify');
    expect(decision.reason).toMatch(/challenger is better/);
    expect(decision.evidence.applied).toBeUndefined();
    expect((await sw.deployments.get('quiet')).revision).toBe(before.revision);
    expect((await sw.models.alias.get('quiet', 'champion')).version).toBe(1);
  }, 60_000);

  it('rolls back at once when a guardrail is breached, before the minimum sample size', async () => {
    await scenario('slow');
    await traffic('slow', 60);
    await sw.deployments.policy.set('slow', {
      minSamples: 1000,
      guardrails: { maxP99Ms: 0.000001 },
      evaluateEvery: '1h',
    });
    const decision = await sw.deployments.policy.evaluate('slow');
    expect(decision.outcome, decision.reason).toBe('guardrail');
    expect(decision.reason).toMatch(
      /^guardrail breached: p99 latency .* of slow@2 is over maxP99Ms 0\.000001/,
    );
    expect(decision.evidence.guardrails?.p99Ms).toMatchObject({ breached: true, limit: 0.000001 });
    expect(decision.evidence.guardrails!.p99Ms!.rows).toBeGreaterThanOrEqual(20);
    const deployment = await sw.deployments.get('slow');
    expect(deployment.routes.map((r) => [r.reference, r.weight])).toEqual([
      ['slow@champion', 100],
      ['slow@2', 0],
    ]);
  }, 60_000);

  it('takes the shadow as the challenger when no other route has traffic, and removes it on a breach', async () => {
    const registry = t.server.platform.registry;
    for (const bytes of onnx)
      await registry.versions.register(systemContext('test'), 'shade', Readable.from([bytes]), {
        features: FEATURES,
        classes: CLASSES,
      });
    await sw.models.alias.set('shade', 'champion', 1);
    await sw.deployments.create('shade', {
      routes: [{ model: 'shade@champion' }],
      shadow: { model: 'shade@2', fraction: 1 },
    });
    await traffic('shade', 30);
    await sw.deployments.policy.set('shade', {
      minSamples: 1000,
      guardrails: { maxP99Ms: 0.000001 },
      evaluateEvery: '1h',
    });
    // The shadow's answers are logged after the caller's; evaluate until enough of them are written.
    const deadline = Date.now() + 20_000;
    let decision = await sw.deployments.policy.evaluate('shade');
    while (decision.outcome === 'wait' && Date.now() < deadline) {
      await t.server.platform.serving.flushLog();
      decision = await sw.deployments.policy.evaluate('shade');
    }
    expect(decision.outcome, decision.reason).toBe('guardrail');
    expect(decision.challenger).toEqual({ reference: 'shade@2', model: 'shade', version: 2, shadow: true });
    expect(decision.reason).toContain('the shadow shade@2 (removed)');
    const deployment = await sw.deployments.get('shade');
    expect(deployment.shadow).toBeNull();
    expect(deployment.routes.map((r) => [r.reference, r.weight])).toEqual([['shade@champion', 100]]);
  }, 60_000);

  it('compares regressors by rmse with a Welch test on squared errors, and promotes the better one', async () => {
    const rows = instances(300, 5);
    const spend = Float64Array.from(rows, (r) => 20 + r.tenure * 0.8 + (r.plan === 'team' ? 15 : 0));
    const registry = t.server.platform.registry;
    for (const iterations of [20, 5]) {
      const model = trainGbdt(
        tableOf(rows),
        { kind: 'regression', values: spend },
        { iterations, maxLeaves: 8, seed: 1 },
      );
      await registry.versions.register(systemContext('test'), 'spend', Readable.from([gbdtToOnnx(model)]), {
        features: FEATURES,
      });
    }
    await sw.models.alias.set('spend', 'champion', 1);
    await sw.deployments.create('spend', {
      routes: [
        { model: 'spend@champion', weight: 50 },
        { model: 'spend@2', weight: 50 },
      ],
    });
    const served = await traffic('spend', 60);
    const counts: Record<number, number> = { 1: 0, 2: 0 };
    const labels = served.flatMap((s) =>
      s.predictions.map((prediction, rowIndex) => {
        const i = counts[s.version]!++;
        const miss = (s.version === 2 ? 0.1 : 3) * (1 + (i % 3)) * (i % 2 === 0 ? 1 : -1);
        return { requestId: s.requestId, rowIndex, label: Number(prediction) + miss };
      }),
    );
    await sw.deployments.feedback('spend', labels);
    await sw.deployments.policy.set('spend', { minSamples: 30, evaluateEvery: '1h' });
    const decision = await sw.deployments.policy.evaluate('spend');
    expect(decision.outcome, decision.reason).toBe('promote');
    expect(decision.evidence).toMatchObject({ metric: 'rmse', test: 'welch' });
    expect(Number(decision.evidence.challenger?.value)).toBeLessThan(
      Number(decision.evidence.champion?.value),
    );
    expect(Number(decision.evidence.effect)).toBeGreaterThan(0);
    expect((await sw.models.alias.get('spend', 'champion')).version).toBe(2);
  }, 60_000);

  it('records a promotion refused by the model’s approval policy as blocked', async () => {
    await scenario('guarded');
    await sw.models.setPolicy('guarded', { requireApprovalFor: ['champion'] });
    await label('guarded', await traffic('guarded', 60), half, often);
    await sw.deployments.policy.set('guarded', { minSamples: 30, evaluateEvery: '1h' });
    const before = await sw.deployments.get('guarded');
    const decision = await sw.deployments.policy.evaluate('guarded');
    expect(decision.outcome, decision.reason).toBe('blocked');
    expect(decision.reason).toContain('APPROVAL_REQUIRED');
    expect(decision.evidence.error?.code).toBe('APPROVAL_REQUIRED');
    expect((await sw.models.alias.get('guarded', 'champion')).version).toBe(1);
    expect((await sw.deployments.get('guarded')).revision).toBe(before.revision);

    // Approved, the next evaluation promotes.
    await sw.models.approve('guarded@2', 'reviewed');
    const after = await sw.deployments.policy.evaluate('guarded');
    expect(after.outcome, after.reason).toBe('promote');
    expect((await sw.models.alias.get('guarded', 'champion')).version).toBe(2);
  }, 60_000);

  it('decides by itself on its schedule, as policy:<deployment>', async () => {
    await scenario('auto');
    await label('auto', await traffic('auto', 60), half, often);
    await sw.deployments.policy.set('auto', { minSamples: 30, evaluateEvery: '1s' });
    const deadline = Date.now() + 30_000;
    let promoted: PolicyDecision | undefined;
    while (promoted === undefined && Date.now() < deadline) {
      promoted = (await sw.deployments.decisions('auto')).items.find((d) => d.outcome === 'promote');
      if (promoted === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(promoted).toBeDefined();
    expect(promoted).toMatchObject({ cause: 'schedule', actor: 'policy:auto' });
    expect((await sw.models.alias.get('auto', 'champion')).version).toBe(2);
    // Later ticks find nothing to compare and store nothing more.
    await sw.deployments.policy.set('auto', { minSamples: 30, evaluateEvery: '1h' });
    const decisions = await sw.deployments.decisions('auto');
    expect(decisions.items.filter((d) => d.outcome === 'promote')).toHaveLength(1);
    expect(decisions.items.filter((d) => d.outcome === 'none')).toHaveLength(0);
  }, 60_000);

  it('refuses bad policies naming the field, and answers 404 without a policy', async () => {
    await sw.deployments.create('plain', { routes: [{ model: 'wait-a@1' }] });
    const put = (body: unknown) =>
      t.fetch('/api/v1/deployments/plain/policy', { method: 'PUT', body: JSON.stringify(body) });
    for (const [body, field] of [
      [{ minSamples: 0 }, 'minSamples must be a whole number ≥ 1'],
      [{ minSamples: 2.5 }, 'minSamples'],
      [{ alpha: 2 }, 'alpha'],
      [{ minEffect: -1 }, 'minEffect'],
      [{ guardrails: { maxErrorRate: 1.5 } }, 'guardrails.maxErrorRate'],
      [{ guardrails: { maxP99Ms: 0 } }, 'guardrails.maxP99Ms'],
      [{ evaluateEvery: '10ms' }, 'evaluateEvery'],
      [{ metric: 'precision@k' }, 'metric'],
      [{ onBetter: 'rollback' }, 'onBetter'],
    ] as const) {
      const response = await put(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain(field);
    }
    const missing = await t.fetch('/api/v1/deployments/plain/policy');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('POLICY_NOT_FOUND');
    const noDeployment = await t.fetch('/api/v1/deployments/nope/policy');
    expect(((await noDeployment.json()) as { error: { code: string } }).error.code).toBe(
      'DEPLOYMENT_NOT_FOUND',
    );
    const viewer = await sw.tokens.create({ name: `viewer-${backend}`, role: 'viewer' });
    const denied = await t.fetch('/api/v1/deployments/plain/policy', {
      method: 'PUT',
      body: '{}',
      token: viewer.token,
    });
    expect(denied.status).toBe(403);
  });

  it('sets, shows, evaluates, lists and deletes policies from the CLI', async () => {
    await scenario('cli');
    await label('cli', await traffic('cli', 10), often, half);
    const set = await run(
      'deployments',
      'policy',
      'set',
      'cli',
      '--metric',
      'accuracy',
      '--min-samples',
      '500',
      '--alpha',
      '0.01',
      '--min-effect',
      '0.02',
      '--max-error-rate',
      '0.05',
      '--max-p99-ms',
      '250',
      '--on-better',
      'notify',
      '--on-worse',
      'notify',
      '--every',
      '1h',
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Policy of deployment cli');
    const shown = await run('--json', 'deployments', 'policy', 'show', 'cli');
    expect(shown.json()).toMatchObject({
      deployment: 'cli',
      metric: 'accuracy',
      minSamples: 500,
      alpha: 0.01,
      minEffect: 0.02,
      guardrails: { maxErrorRate: 0.05, maxP99Ms: 250 },
      onBetter: 'notify',
      onWorse: 'notify',
      evaluateEvery: '1h',
    });
    const evaluated = await run('deployments', 'policy', 'evaluate', 'cli');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/: wait\n/);
    expect(evaluated.stdout).toContain('not yet:');
    const listed = await run('deployments', 'decisions', 'cli');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /AT\s+OUTCOME\s+CHAMPION\s+CHALLENGER\s+METRIC VALUES\s+SAMPLES\s+P-VALUE\s+REASON/,
    );
    expect(listed.stdout).toMatch(/wait\s+cli@1\s+cli@2/);
    const bad = await run('deployments', 'policy', 'set', 'cli', '--min-samples', 'many');
    expect(bad.code).toBe(2);
    const deleted = await run('deployments', 'policy', 'delete', 'cli');
    expect(deleted.code).toBe(0);
    const gone = await run('deployments', 'policy', 'show', 'cli');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('POLICY_NOT_FOUND');
  }, 60_000);
});

/**
 * Champion/challenger policies: set, read and delete a deployment's policy; evaluate it now (the
 * decision is stored and audited as `deployment.decision`) or when due (see PolicyScheduler); list
 * the decisions, newest first.
 *
 * Periodic evaluations do not flood the table: a scheduled decision with the same outcome, revision,
 * champion and challenger as the latest stored one is stored again only when its labelled sample
 * counts changed and at least REPEAT_AFTER_MS passed; `none` is never repeated, nor stored right
 * after a promotion or rollback (there is nothing left to compare, as expected). Manual evaluations
 * are always stored.
 */
import type { RequestContext } from '../../core/context.js';
import { ConflictError, NotFoundError, SlipwayError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { normaliseName } from '../../core/names.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { mutate, newestFirstPage } from '../../store/index.js';
import type { DeploymentPolicyRow } from '../../store/tables.js';
import {
  type DecisionCause,
  type DeploymentPolicy,
  decisionRow,
  type PolicyDecision,
  readPolicySpec,
  toDecision,
  toPolicy,
} from './entities.js';
import { evaluatePolicy, policyContext, type Verdict } from './evaluator.js';
import type { PolicyDeps } from './policy-deps.js';
import { buildPolicySpec, type PolicyInput } from './spec.js';

export const REPEAT_AFTER_MS = 10 * 60_000;
const ATTEMPTS = 3;
const ACTED = new Set(['promote', 'rollback', 'guardrail']);

export class PolicyService {
  /** Evaluations of one deployment run one at a time in this process. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: PolicyDeps) {}

  /** Creates or replaces the deployment's policy; the first periodic evaluation is one interval later. */
  async set(ctx: RequestContext, rawDeployment: string, input: PolicyInput): Promise<DeploymentPolicy> {
    const spec = buildPolicySpec(input);
    const deployment = (await this.deps.serving.deployments.get(rawDeployment)).name;
    const now = this.deps.clock.now();
    return mutate(this.deps.database, ctx, async (trx) => {
      const existing = await trx
        .selectFrom('deployment_policies')
        .selectAll()
        .where('deployment', '=', deployment)
        .executeTakeFirst();
      const row: DeploymentPolicyRow = {
        id: existing?.id ?? newId(now),
        deployment,
        spec: JSON.stringify(spec),
        next_due_at: now + spec.evaluateEveryMs,
        created_by: existing?.created_by ?? ctx.actor.name,
        created_at: existing === undefined ? now : Number(existing.created_at),
        updated_by: ctx.actor.name,
        updated_at: now,
      };
      if (existing === undefined) await trx.insertInto('deployment_policies').values(row).execute();
      else
        await trx
          .updateTable('deployment_policies')
          .set({ spec: row.spec, next_due_at: row.next_due_at, updated_by: row.updated_by, updated_at: now })
          .where('id', '=', existing.id)
          .execute();
      const policy = toPolicy(row);
      await this.deps.audit.record(trx, ctx, {
        action: 'deployment.policy.set',
        resourceType: 'deployment',
        resourceId: deployment,
        ...(existing === undefined ? {} : { before: toPolicy(existing) }),
        after: policy,
      });
      return policy;
    });
  }

  async get(rawDeployment: string): Promise<DeploymentPolicy> {
    return toPolicy(await this.row(rawDeployment));
  }

  async delete(ctx: RequestContext, rawDeployment: string): Promise<DeploymentPolicy> {
    const row = await this.row(rawDeployment);
    return mutate(this.deps.database, ctx, async (trx) => {
      const result = await trx.deleteFrom('deployment_policies').where('id', '=', row.id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw policyNotFound(row.deployment);
      const policy = toPolicy(row);
      await this.deps.audit.record(trx, ctx, {
        action: 'deployment.policy.delete',
        resourceType: 'deployment',
        resourceId: row.deployment,
        before: policy,
      });
      return policy;
    });
  }

  /** Evaluates now and stores the decision (always, for a manual evaluation). */
  async evaluate(
    ctx: RequestContext,
    rawDeployment: string,
    cause: DecisionCause = 'manual',
  ): Promise<PolicyDecision> {
    const deployment = normaliseName('deployment', rawDeployment);
    const previous = this.running.get(deployment) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.evaluateWithRetries(ctx, deployment, cause));
    this.running.set(deployment, next);
    try {
      return (await next).decision;
    } finally {
      if (this.running.get(deployment) === next) this.running.delete(deployment);
    }
  }

  /** The deployment's decisions, newest first. */
  async decisions(rawDeployment: string, page: PageRequest = {}): Promise<Page<PolicyDecision>> {
    const deployment = normaliseName('deployment', rawDeployment);
    const select = this.deps.database.db
      .selectFrom('policy_decisions')
      .selectAll()
      .where('deployment', '=', deployment);
    const result = await newestFirstPage(select, page, `policy-decisions:${deployment}`, toDecision);
    // A typo answers 404; the decisions of a deleted deployment stay readable.
    if (result.items.length === 0 && page.pageToken === undefined)
      await this.deps.serving.deployments.get(deployment);
    return result;
  }

  /** Claims and evaluates every policy whose periodic evaluation is due (see PolicyScheduler). */
  async evaluateDue(): Promise<void> {
    const { db } = this.deps.database;
    const now = this.deps.clock.now();
    const due = await db
      .selectFrom('deployment_policies')
      .select(['id', 'deployment', 'spec', 'next_due_at'])
      .where('next_due_at', '<=', now)
      .execute();
    for (const row of due) {
      const tick = Number(row.next_due_at);
      const spec = JSON.parse(row.spec) as { evaluateEveryMs: number };
      const claimed = await db
        .updateTable('deployment_policies')
        .set({ next_due_at: now + spec.evaluateEveryMs })
        .where('id', '=', row.id)
        .where('next_due_at', '=', tick)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) continue;
      const ctx = policyContext(row.deployment, newId(now));
      try {
        await this.evaluate(ctx, row.deployment, 'schedule');
      } catch (error) {
        if (error instanceof SlipwayError && error.code === 'DEPLOYMENT_NOT_FOUND') continue;
        this.deps.logger?.warn({ err: error, deployment: row.deployment }, 'policy evaluation failed');
      }
    }
  }

  private async evaluateWithRetries(
    ctx: RequestContext,
    deployment: string,
    cause: DecisionCause,
  ): Promise<{ decision: PolicyDecision; stored: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.row(deployment);
      const current = await this.deps.serving.deployments.get(row.deployment);
      try {
        const verdict = await evaluatePolicy(this.deps, ctx, current, readPolicySpec(row));
        return await this.store(ctx, row.deployment, cause, verdict);
      } catch (error) {
        // Someone changed the alias or the deployment meanwhile: evaluate what it is now.
        const lostRace =
          error instanceof ConflictError &&
          (error.code === 'ALIAS_CONFLICT' || error.code === 'DEPLOYMENT_REVISION_CONFLICT');
        if (!lostRace || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private async store(
    ctx: RequestContext,
    deployment: string,
    cause: DecisionCause,
    verdict: Verdict,
  ): Promise<{ decision: PolicyDecision; stored: boolean }> {
    const now = this.deps.clock.now();
    const decision: PolicyDecision = {
      id: newId(now),
      deployment,
      at: new Date(now).toISOString(),
      cause,
      outcome: verdict.outcome,
      reason: verdict.reason,
      revision: verdict.revision,
      champion: verdict.champion,
      challenger: verdict.challenger,
      evidence: verdict.evidence,
      actor: ctx.actor.name,
    };
    if (cause === 'schedule' && !ACTED.has(decision.outcome) && (await this.isRepeat(decision, now)))
      return { decision, stored: false };
    // The decision is not the answer of a creating request: no Idempotency-Key bookkeeping here.
    const plain: RequestContext = { actor: ctx.actor, requestId: ctx.requestId };
    await mutate(this.deps.database, plain, async (trx) => {
      await trx.insertInto('policy_decisions').values(decisionRow(decision, ctx.requestId)).execute();
      await this.deps.audit.record(trx, plain, {
        action: 'deployment.decision',
        resourceType: 'deployment',
        resourceId: deployment,
        after: {
          id: decision.id,
          outcome: decision.outcome,
          reason: decision.reason,
          revision: decision.revision,
          champion: decision.champion,
          challenger: decision.challenger,
          evidence: decision.evidence,
        },
      });
    });
    return { decision, stored: true };
  }

  private async isRepeat(decision: PolicyDecision, now: number): Promise<boolean> {
    const last = await this.deps.database.db
      .selectFrom('policy_decisions')
      .selectAll()
      .where('deployment', '=', decision.deployment)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last === undefined) return false;
    const previous = toDecision(last);
    if (decision.outcome === 'none') return previous.outcome === 'none' || ACTED.has(previous.outcome);
    const same =
      previous.outcome === decision.outcome &&
      previous.revision === decision.revision &&
      sameVersion(previous.champion, decision.champion) &&
      sameVersion(previous.challenger, decision.challenger);
    if (!same) return false;
    const samplesChanged =
      previous.evidence.champion?.samples !== decision.evidence.champion?.samples ||
      previous.evidence.challenger?.samples !== decision.evidence.challenger?.samples;
    return !(samplesChanged && now - Number(last.at) >= REPEAT_AFTER_MS);
  }

  private async row(rawDeployment: string): Promise<DeploymentPolicyRow> {
    const deployment = normaliseName('deployment', rawDeployment);
    const row = await this.deps.database.db
      .selectFrom('deployment_policies')
      .selectAll()
      .where('deployment', '=', deployment)
      .executeTakeFirst();
    if (row === undefined) {
      await this.deps.serving.deployments.get(deployment);
      throw policyNotFound(deployment);
    }
    return row;
  }
}

function sameVersion(
  a: { model: string; version: number } | null,
  b: { model: string; version: number } | null,
): boolean {
  return a === null || b === null ? a === b : a.model === b.model && a.version === b.version;
}

export function policyNotFound(deployment: string): NotFoundError {
  return new NotFoundError('POLICY_NOT_FOUND', `deployment '${deployment}' has no policy`, { deployment });
}

/**
 * One evaluation of a deployment's policy: pick champion and challenger, check the guardrails, count
 * the labelled samples of each since the window start, test the metric, and act (promote, roll back)
 * as the policy says. Actions are compare-and-set against what was evaluated (the alias's version,
 * the deployment's revision); a lost race throws the conflict so the caller evaluates again.
 */
import type { RequestContext } from '../../core/context.js';
import { ConflictError, SlipwayError } from '../../core/errors.js';
import { toWireNumber } from '../../core/wire.js';
import type { Deployment, UpdateDeploymentInput } from '../../serving/index.js';
import type { LabelledRows } from '../feedback/index.js';
import { compareRows, unsupported } from './comparison.js';
import type { ComparedVersion, DecisionEvidence, DecisionOutcome } from './entities.js';
import { checkGuardrails, round } from './guardrails.js';
import { type Pair, pickPair, type Side, sideName, windowStart } from './pair.js';
import type { PolicyDeps } from './policy-deps.js';
import type { PolicySpec } from './spec.js';

export interface Verdict {
  readonly outcome: DecisionOutcome;
  readonly reason: string;
  readonly revision: number;
  readonly champion: ComparedVersion | null;
  readonly challenger: ComparedVersion | null;
  readonly evidence: DecisionEvidence;
}

const compared = (side: Side | null): ComparedVersion | null =>
  side === null
    ? null
    : {
        reference: side.reference,
        model: side.model,
        version: side.version,
        ...(side.shadow ? { shadow: true } : {}),
      };

/** The context automatic changes are made in: `policy:<deployment>`, an editor. */
export function policyContext(deployment: string, requestId: string): RequestContext {
  return { actor: { name: `policy:${deployment}`, role: 'editor' }, requestId };
}

export async function evaluatePolicy(
  deps: PolicyDeps,
  ctx: RequestContext,
  deployment: Deployment,
  spec: PolicySpec,
): Promise<Verdict> {
  const pair = pickPair(deployment);
  const base = {
    revision: deployment.revision,
    champion: compared(pair.champion),
    challenger: compared(pair.challenger),
  };
  if (pair.champion === null || pair.challenger === null)
    return { ...base, outcome: 'none', reason: pair.why ?? 'nothing to compare', evidence: {} };
  const champion = pair.champion;
  const challenger = pair.challenger;
  const now = deps.clock.now();
  const since = await windowStart(
    deps.serving.deployments,
    deployment.name,
    deployment.revision,
    champion,
    challenger,
  );
  const act = policyContext(deployment.name, ctx.requestId);
  const windowIso = new Date(since).toISOString();

  const rails = await checkGuardrails(
    deps.database,
    deps.serving,
    deployment.name,
    challenger,
    spec.guardrails,
    since,
    now,
  );
  const guardrails = Object.keys(rails.evidence).length === 0 ? {} : { guardrails: rails.evidence };
  if (rails.breach !== undefined) {
    const revision = await rollback(deps, act, deployment, pair);
    return {
      ...base,
      outcome: 'guardrail',
      reason: `guardrail breached: ${rails.breach}; rolled back ${describeRollback(challenger)}`,
      evidence: { windowStart: windowIso, ...guardrails, applied: { revision } },
    };
  }

  const window = { since, until: now + 1 };
  const [a, b] = await Promise.all([
    deps.feedback.labelledRows(deployment.name, champion.model, champion.version, window),
    deps.feedback.labelledRows(deployment.name, challenger.model, challenger.version, window),
  ]);
  const metric = spec.metric ?? (a.kind === 'classification' ? 'accuracy' : 'rmse');
  const side = (rows: LabelledRows) => ({ samples: rows.labels.length, skipped: rows.skipped });
  const evidence: DecisionEvidence = {
    metric,
    alpha: spec.alpha,
    minEffect: spec.minEffect,
    minSamples: spec.minSamples,
    windowStart: windowIso,
    champion: side(a),
    challenger: side(b),
    ...guardrails,
  };
  const problem = unsupported(metric, a) ?? unsupported(metric, b);
  if (problem !== undefined)
    return { ...base, outcome: 'none', reason: `nothing to compare: ${problem}`, evidence };

  const short = [
    ...(b.labels.length < spec.minSamples
      ? [`${b.labels.length}/${spec.minSamples} labelled samples for ${sideName(challenger)}`]
      : []),
    ...(a.labels.length < spec.minSamples
      ? [`${a.labels.length}/${spec.minSamples} labelled samples for ${sideName(champion)}`]
      : []),
  ];
  if (short.length > 0) return { ...base, outcome: 'wait', reason: `not yet: ${short.join(', ')}`, evidence };

  const result = compareRows(metric, a, b, spec.alpha);
  const measured: DecisionEvidence = {
    ...evidence,
    test: result.test,
    champion: { ...side(a), value: toWireNumber(result.champion) },
    challenger: { ...side(b), value: toWireNumber(result.challenger) },
    effect: toWireNumber(result.effect),
    pValue: toWireNumber(result.pValue),
    ...(result.statistic === undefined ? {} : { statistic: toWireNumber(result.statistic) }),
    ...(result.ci === undefined
      ? {}
      : { ci: [toWireNumber(result.ci[0]), toWireNumber(result.ci[1])] as const }),
    ...(result.resamples === undefined ? {} : { resamples: result.resamples }),
  };
  const figures = `${metric} ${round(result.challenger)} for ${sideName(challenger)} vs ${round(result.champion)} for ${sideName(champion)} (${result.test}, p = ${formatP(result.pValue)}, n = ${b.labels.length}/${a.labels.length})`;
  const significant = result.pValue < spec.alpha;
  if (!significant || Number.isNaN(result.effect) || result.effect === 0)
    return {
      ...base,
      outcome: 'keep',
      reason: `no significant difference: ${figures}, alpha ${spec.alpha}`,
      evidence: measured,
    };

  if (result.effect > 0) {
    if (result.effect < spec.minEffect)
      return {
        ...base,
        outcome: 'keep',
        reason: `challenger better by ${round(result.effect)}, below minEffect ${spec.minEffect}: ${figures}`,
        evidence: measured,
      };
    if (spec.onBetter === 'notify')
      return {
        ...base,
        outcome: 'notify',
        reason: `challenger is better (would promote; the policy only notifies): ${figures}`,
        evidence: measured,
      };
    try {
      const promoted = await promote(deps, act, deployment, pair);
      return {
        ...base,
        outcome: 'promote',
        reason: `challenger is better: ${figures}; promoted ${sideName(challenger)}${promoted.note}`,
        evidence: { ...measured, applied: promoted.applied },
      };
    } catch (error) {
      if (
        error instanceof SlipwayError &&
        (error.code === 'APPROVAL_REQUIRED' || error.code === 'MODEL_DELETED')
      )
        return {
          ...base,
          outcome: 'blocked',
          reason: `challenger is better but its promotion was refused: ${error.code}: ${error.message}`,
          evidence: { ...measured, error: { code: error.code, message: error.message } },
        };
      throw error;
    }
  }
  if (spec.onWorse === 'notify')
    return {
      ...base,
      outcome: 'notify',
      reason: `challenger is worse (would roll back; the policy only notifies): ${figures}`,
      evidence: measured,
    };
  const revision = await rollback(deps, act, deployment, pair);
  return {
    ...base,
    outcome: 'rollback',
    reason: `challenger is worse: ${figures}; rolled back ${describeRollback(challenger)}`,
    evidence: { ...measured, applied: { revision } },
  };
}

function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(2) : String(Math.round(p * 10_000) / 10_000);
}

function describeRollback(challenger: Side): string {
  return challenger.shadow
    ? `the shadow ${sideName(challenger)} (removed)`
    : `${challenger.reference} (weight 0)`;
}

/** Challenger's weight to 0 (the champion takes it), or the shadow removed; returns the new revision. */
async function rollback(
  deps: PolicyDeps,
  ctx: RequestContext,
  deployment: Deployment,
  pair: Pair,
): Promise<number> {
  const champion = pair.champion!;
  const challenger = pair.challenger!;
  const input: UpdateDeploymentInput = challenger.shadow
    ? { shadow: null, expectedRevision: deployment.revision }
    : {
        routes: deployment.routes.map((r) => ({
          model: r.reference,
          weight:
            r.reference === challenger.reference
              ? 0
              : r.reference === champion.reference
                ? r.weight + challenger.weight
                : r.weight,
        })),
        expectedRevision: deployment.revision,
      };
  return (await deps.serving.deployments.update(ctx, deployment.name, input)).revision;
}

/**
 * The champion alias of the challenger's model moves to the challenger's version (compare-and-set on
 * the version seen), then the deployment serves the champion route alone (compare-and-set on the
 * revision evaluated, or the one the alias move itself wrote).
 */
async function promote(
  deps: PolicyDeps,
  ctx: RequestContext,
  deployment: Deployment,
  pair: Pair,
): Promise<{ applied: NonNullable<DecisionEvidence['applied']>; note: string }> {
  const champion = pair.champion!;
  const challenger = pair.challenger!;
  const sameModel = champion.model === challenger.model;
  const aliasRoute = `${champion.model}@champion`;
  let alias: NonNullable<DecisionEvidence['applied']>['alias'];
  let note = '';
  if (sameModel) {
    const expected =
      champion.reference === aliasRoute ? champion.version : await currentChampion(deps, challenger.model);
    await deps.registry.aliases.set(ctx, challenger.model, 'champion', {
      version: challenger.version,
      expectedVersion: expected,
    });
    alias = { model: challenger.model, alias: 'champion', from: expected, to: challenger.version };
    note = ` (alias ${challenger.model}@champion ${expected ?? 'none'} -> ${challenger.version})`;
  } else {
    note = ` by routes only: it is another model than the champion's (${champion.model}), so no alias moved`;
  }
  let expectedRevision = deployment.revision;
  const current = await deps.serving.deployments.get(deployment.name);
  for (let r = deployment.revision + 1; r <= current.revision; r++) {
    const revision = await deps.serving.deployments.revision(deployment.name, r);
    const cause = revision.cause;
    if (
      !(
        sameModel &&
        cause.kind === 'alias' &&
        cause.alias === aliasRoute &&
        cause.toVersion === challenger.version
      )
    )
      throw new ConflictError(
        'DEPLOYMENT_REVISION_CONFLICT',
        `deployment '${deployment.name}' changed since revision ${deployment.revision} was evaluated`,
        {
          deployment: deployment.name,
          expectedRevision: deployment.revision,
          currentRevision: current.revision,
        },
      );
    expectedRevision = r;
  }
  const follows = sameModel && champion.reference === aliasRoute;
  const input: UpdateDeploymentInput = {
    routes: [{ model: follows ? champion.reference : challenger.reference, weight: 100 }],
    ...(challenger.shadow ? { shadow: null } : {}),
    expectedRevision,
  };
  const updated = await deps.serving.deployments.update(ctx, deployment.name, input);
  return { applied: { ...(alias === undefined ? {} : { alias }), revision: updated.revision }, note };
}

async function currentChampion(deps: PolicyDeps, model: string): Promise<number | null> {
  try {
    return (await deps.registry.aliases.get(model, 'champion')).version;
  } catch (error) {
    if (error instanceof SlipwayError && error.code === 'ALIAS_NOT_FOUND') return null;
    throw error;
  }
}

/** Policies and decisions as the API shows them (rows are never handed out). */
import type { WireNumber } from '../../core/wire.js';
import type { DeploymentPolicyRow, PolicyDecisionRow } from '../../store/tables.js';
import type { TestName } from './comparison.js';
import { formatDuration, type PolicyMetric, type PolicySpec } from './spec.js';

export const OUTCOMES = [
  'none',
  'wait',
  'keep',
  'promote',
  'rollback',
  'notify',
  'blocked',
  'guardrail',
] as const;
export type DecisionOutcome = (typeof OUTCOMES)[number];
export type DecisionCause = 'manual' | 'schedule';

export interface DeploymentPolicy {
  readonly deployment: string;
  /** Absent: accuracy for classifiers, rmse for regressors. */
  readonly metric?: PolicyMetric;
  readonly minSamples: number;
  readonly alpha: number;
  readonly minEffect: number;
  readonly guardrails: { readonly maxErrorRate?: number; readonly maxP99Ms?: number };
  readonly onBetter: 'promote' | 'notify';
  readonly onWorse: 'rollback' | 'notify';
  /** `1m` */
  readonly evaluateEvery: string;
  readonly nextEvaluationAt: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

/** A model version a decision compared. */
export interface ComparedVersion {
  /** The route's reference as written (`churn@champion`). */
  readonly reference: string;
  readonly model: string;
  readonly version: number;
  /** True when the challenger is the deployment's shadow. */
  readonly shadow?: boolean;
}

export interface SideEvidence {
  /** Labelled rows of the version in the window. */
  readonly samples: number;
  /** Labelled rows left out (label names no class, unreadable answer). */
  readonly skipped: number;
  readonly value?: WireNumber;
}

export interface GuardrailEvidence {
  readonly errorRate?: {
    readonly value: WireNumber;
    readonly errors: number;
    readonly requests: number;
    readonly windowSeconds: number;
    readonly limit: number;
    readonly breached: boolean;
  };
  readonly p99Ms?: {
    readonly value: WireNumber;
    readonly rows: number;
    readonly limit: number;
    readonly breached: boolean;
  };
}

export interface DecisionEvidence {
  readonly metric?: PolicyMetric;
  readonly test?: TestName;
  readonly alpha?: number;
  readonly minEffect?: number;
  readonly minSamples?: number;
  /** Labelled rows and metric values are counted from here (ISO). */
  readonly windowStart?: string;
  readonly champion?: SideEvidence;
  readonly challenger?: SideEvidence;
  /** The challenger's improvement in the metric's better direction. */
  readonly effect?: WireNumber;
  readonly pValue?: WireNumber;
  readonly statistic?: WireNumber;
  readonly ci?: readonly [WireNumber, WireNumber];
  readonly resamples?: number;
  readonly guardrails?: GuardrailEvidence;
  /** What the decision changed. */
  readonly applied?: {
    readonly alias?: {
      readonly model: string;
      readonly alias: string;
      readonly from: number | null;
      readonly to: number;
    };
    /** The deployment revision the change wrote. */
    readonly revision?: number;
  };
  /** The refusal behind a `blocked` decision. */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface PolicyDecision {
  readonly id: string;
  readonly deployment: string;
  readonly at: string;
  readonly cause: DecisionCause;
  readonly outcome: DecisionOutcome;
  readonly reason: string;
  /** The deployment revision evaluated. */
  readonly revision: number;
  readonly champion: ComparedVersion | null;
  readonly challenger: ComparedVersion | null;
  readonly evidence: DecisionEvidence;
  readonly actor: string;
}

export function readPolicySpec(row: DeploymentPolicyRow): PolicySpec {
  return JSON.parse(row.spec) as PolicySpec;
}

export function toPolicy(row: DeploymentPolicyRow): DeploymentPolicy {
  const spec = readPolicySpec(row);
  return {
    deployment: row.deployment,
    ...(spec.metric === undefined ? {} : { metric: spec.metric }),
    minSamples: spec.minSamples,
    alpha: spec.alpha,
    minEffect: spec.minEffect,
    guardrails: spec.guardrails,
    onBetter: spec.onBetter,
    onWorse: spec.onWorse,
    evaluateEvery: formatDuration(spec.evaluateEveryMs),
    nextEvaluationAt: new Date(Number(row.next_due_at)).toISOString(),
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedBy: row.updated_by,
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

interface StoredEvidence extends DecisionEvidence {
  readonly championRef?: ComparedVersion;
  readonly challengerRef?: ComparedVersion;
}

/** The row of a decision: versions in columns (for queries), the rest in the evidence JSON. */
export function decisionRow(decision: PolicyDecision, requestId: string): PolicyDecisionRow {
  const evidence: StoredEvidence = {
    ...decision.evidence,
    ...(decision.champion === null ? {} : { championRef: decision.champion }),
    ...(decision.challenger === null ? {} : { challengerRef: decision.challenger }),
  };
  return {
    id: decision.id,
    deployment: decision.deployment,
    at: Date.parse(decision.at),
    cause: decision.cause,
    outcome: decision.outcome,
    reason: decision.reason,
    evidence: JSON.stringify(evidence),
    champion_model: decision.champion?.model ?? null,
    champion_version: decision.champion?.version ?? null,
    challenger_model: decision.challenger?.model ?? null,
    challenger_version: decision.challenger?.version ?? null,
    revision: decision.revision,
    actor: decision.actor,
    request_id: requestId,
  };
}

export function toDecision(row: PolicyDecisionRow): PolicyDecision {
  const { championRef, challengerRef, ...evidence } = JSON.parse(row.evidence) as StoredEvidence;
  return {
    id: row.id,
    deployment: row.deployment,
    at: new Date(Number(row.at)).toISOString(),
    cause: row.cause as DecisionCause,
    outcome: row.outcome as DecisionOutcome,
    reason: row.reason,
    revision: Number(row.revision),
    champion: championRef ?? null,
    challenger: challengerRef ?? null,
    evidence,
    actor: row.actor,
  };
}

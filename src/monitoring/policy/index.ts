/** Champion/challenger policies of deployments and the decisions they make. */
export {
  BOOTSTRAP_RESAMPLES,
  type Comparison,
  compareRows,
  metricValue,
  type TestName,
} from './comparison.js';
export type {
  ComparedVersion,
  DecisionCause,
  DecisionEvidence,
  DecisionOutcome,
  DeploymentPolicy,
  GuardrailEvidence,
  PolicyDecision,
  SideEvidence,
} from './entities.js';
export { OUTCOMES } from './entities.js';
export { GUARDRAIL_MIN_REQUESTS } from './guardrails.js';
export type { PolicyDeps } from './policy-deps.js';
export { PolicyScheduler } from './policy-scheduler.js';
export { PolicyService, policyNotFound, REPEAT_AFTER_MS } from './policy-service.js';
export {
  buildPolicySpec,
  type Guardrails,
  POLICY_METRICS,
  type PolicyInput,
  type PolicyMetric,
  type PolicySpec,
} from './spec.js';
export { betainc, studentTSf, type WelchResult, welchTTest } from './student-t.js';

/** SDK methods for a deployment's champion/challenger policy: `sw.deployments.policy.set/get/delete/evaluate`. */
import type { DeploymentPolicy, PolicyDecision, PolicyInput } from '../monitoring/policy/index.js';
import type { HttpClient } from './http-client.js';

const path = (name: string) => `/api/v1/deployments/${encodeURIComponent(name)}/policy`;

export class DeploymentPolicyApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * Creates or replaces the policy:
   * `sw.deployments.policy.set('churn', { metric: 'accuracy', minSamples: 1000, guardrails: { maxP99Ms: 250 } })`.
   */
  set(name: string, policy: PolicyInput): Promise<DeploymentPolicy> {
    return this.http.request('PUT', path(name), { body: policy });
  }

  /** The policy; `NotFoundError` with code POLICY_NOT_FOUND when there is none. */
  get(name: string): Promise<DeploymentPolicy> {
    return this.http.request('GET', path(name));
  }

  /** Deletes the policy (its decisions are kept); answers what it was. */
  delete(name: string): Promise<DeploymentPolicy> {
    return this.http.request('DELETE', path(name));
  }

  /** Evaluates now and answers the decision (stored and audited), after acting on it. */
  evaluate(name: string): Promise<PolicyDecision> {
    return this.http.request('POST', `${path(name)}/evaluate`);
  }
}

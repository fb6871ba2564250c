/**
 * Looks once a second for policies whose periodic evaluation is due. A due tick is claimed by
 * compare-and-set on `next_due_at` (see PolicyService.evaluateDue), so with several servers each
 * tick is evaluated once.
 */
import type { Logger } from '../../core/logger.js';
import { Periodic } from '../../core/periodic.js';
import type { PolicyService } from './policy-service.js';

export const POLICY_TICK_MS = 1000;

export class PolicyScheduler {
  private readonly periodic: Periodic;

  constructor(policies: PolicyService, logger?: Logger) {
    this.periodic = new Periodic(
      'policy scheduler tick',
      POLICY_TICK_MS,
      () => policies.evaluateDue(),
      logger,
    );
  }

  start(): void {
    this.periodic.start();
  }

  close(): Promise<void> {
    return this.periodic.close();
  }

  /** One look at what is due now. */
  tick(): Promise<void> {
    return this.periodic.run();
  }
}

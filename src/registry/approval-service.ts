/** Approvals: a version is pending until an approver (or admin) approves or rejects it, with a comment. */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import type { Reference } from '../core/references.js';
import { type Database, mutate } from '../store/index.js';
import type { ModelVersionRow } from '../store/tables.js';
import type { ApprovalStatus, ModelVersion } from './entities.js';
import { assertActive, parseModelReference, resolveRow, versionEntity } from './model-loader.js';
import { checkText, MAX_COMMENT } from './validation.js';

export class ApprovalService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async approve(ctx: RequestContext, reference: string | Reference, comment?: string): Promise<ModelVersion> {
    return this.decide(ctx, reference, 'approved', comment);
  }

  async reject(ctx: RequestContext, reference: string | Reference, comment?: string): Promise<ModelVersion> {
    return this.decide(ctx, reference, 'rejected', comment);
  }

  /** Records the decision (a later one replaces it), with who and when; audited with before and after. */
  private async decide(
    ctx: RequestContext,
    reference: string | Reference,
    status: ApprovalStatus,
    rawComment: string | undefined,
  ): Promise<ModelVersion> {
    const ref = typeof reference === 'string' ? parseModelReference(reference) : reference;
    const comment =
      rawComment === undefined || rawComment === '' ? null : checkText('comment', rawComment, MAX_COMMENT);
    return mutate(this.database, ctx, async (trx) => {
      const resolved = await resolveRow(trx, ref);
      assertActive(resolved.model);
      const now = this.clock.now();
      const decision = {
        approval_status: status,
        approval_comment: comment,
        approved_by: ctx.actor.name,
        approved_at: now,
      } satisfies Partial<ModelVersionRow>;
      await trx.updateTable('model_versions').set(decision).where('id', '=', resolved.row.id).execute();
      const before = await versionEntity(trx, resolved);
      const after = await versionEntity(trx, {
        model: resolved.model,
        row: { ...resolved.row, ...decision },
      });
      await this.audit.record(trx, ctx, {
        action: status === 'approved' ? 'model.version.approve' : 'model.version.reject',
        resourceType: 'model_version',
        resourceId: `${after.model}@${after.version}`,
        before: before.approval,
        after: after.approval,
      });
      return after;
    });
  }
}

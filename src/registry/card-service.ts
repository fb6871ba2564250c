/** Reads and edits model cards; the hand-written part is stored with the version, the rest is derived. */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import { toIso } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { InvalidError } from '../core/errors.js';
import type { Reference } from '../core/references.js';
import { loadDatasetVersion, profileOf } from '../data/index.js';
import { type Database, type Executor, mutate } from '../store/index.js';
import {
  buildCard,
  type CardFields,
  type ModelCard,
  type StoredCard,
  summariseProfile,
  type TrainingDataSummary,
} from './card.js';
import type { ModelVersion } from './entities.js';
import { assertActive, parseModelReference, resolveRow, versionEntity } from './model-loader.js';
import { checkMetrics, checkText } from './validation.js';

const MAX_CARD_TEXT = 100_000;
const MAX_SLICES = 1_000;

export class CardService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async get(reference: string | Reference): Promise<ModelCard> {
    const db = this.database.db;
    const ref = typeof reference === 'string' ? parseModelReference(reference) : reference;
    const resolved = await resolveRow(db, ref);
    const version = await versionEntity(db, resolved);
    return buildCard(version, JSON.parse(resolved.row.card) as StoredCard, await trainingData(db, version));
  }

  /** Replaces the hand-written part of the card. */
  async update(ctx: RequestContext, reference: string | Reference, input: CardFields): Promise<ModelCard> {
    const ref = typeof reference === 'string' ? parseModelReference(reference) : reference;
    const fields = checkCardFields(input);
    return mutate(this.database, ctx, async (trx) => {
      const resolved = await resolveRow(trx, ref);
      assertActive(resolved.model);
      const stored: StoredCard = { ...fields, updatedBy: ctx.actor.name, updatedAt: toIso(this.clock.now()) };
      await trx
        .updateTable('model_versions')
        .set({ card: JSON.stringify(stored) })
        .where('id', '=', resolved.row.id)
        .execute();
      const version = await versionEntity(trx, resolved);
      await this.audit.record(trx, ctx, {
        action: 'model.version.card.update',
        resourceType: 'model_version',
        resourceId: `${version.model}@${version.version}`,
        before: JSON.parse(resolved.row.card) as StoredCard,
        after: stored,
      });
      return buildCard(version, stored, await trainingData(trx, version));
    });
  }
}

/** The profile summary of the first training dataset, when one was recorded and still exists. */
async function trainingData(
  executor: Executor,
  version: ModelVersion,
): Promise<TrainingDataSummary | undefined> {
  const link = version.datasets.find((d) => d.role === 'train');
  if (link === undefined) return undefined;
  try {
    const loaded = await loadDatasetVersion(executor, { name: link.dataset, version: link.version });
    return summariseProfile(link.dataset, link.version, profileOf(loaded.row));
  } catch {
    return undefined;
  }
}

export function checkCardFields(input: CardFields): CardFields {
  const text = (field: keyof CardFields) => {
    const value = input[field];
    return value === undefined ? {} : { [field]: checkText(field, value as string, MAX_CARD_TEXT) };
  };
  const evaluation = input.evaluation;
  if (evaluation !== undefined && evaluation.length > MAX_SLICES) {
    throw new InvalidError(`evaluation may have at most ${MAX_SLICES} slices, got ${evaluation.length}`, {
      field: 'evaluation',
    });
  }
  return {
    ...text('description'),
    ...text('intendedUse'),
    ...text('limitations'),
    ...text('ethicalConsiderations'),
    ...text('markdown'),
    ...(evaluation === undefined
      ? {}
      : {
          evaluation: evaluation.map((slice, index) => {
            if (slice.slice.trim() === '') {
              throw new InvalidError(`evaluation[${index}].slice must not be empty`, {
                field: `evaluation[${index}].slice`,
              });
            }
            return {
              slice: checkText(`evaluation[${index}].slice`, slice.slice, 250),
              ...(slice.dataset === undefined
                ? {}
                : { dataset: checkText(`evaluation[${index}].dataset`, slice.dataset, 300) }),
              metrics: checkMetrics(slice.metrics),
            };
          }),
        }),
  };
}

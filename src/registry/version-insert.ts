/**
 * The database side of registering a version: the checks a request must pass before its blob is
 * stored, and the one transaction that numbers the version and writes its row, blob reference,
 * lineage edges and audit event (creating the model on first use).
 */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { loadDatasetVersion } from '../data/index.js';
import { datasetNode, type EdgeInput, type LineageRecorder, modelNode, runNode } from '../lineage/index.js';
import { type Database, type Executor, mutate, recordBlobs } from '../store/index.js';
import type { ModelVersionRow } from '../store/tables.js';
import { findRunRow } from '../tracking/index.js';
import { type DatasetLink, type ModelSignature, type ModelVersion, toModelVersion } from './entities.js';
import { assertActive, findModelRow, lockModel } from './model-loader.js';
import type { ModelService } from './model-service.js';
import type { Metadata } from './version-metadata.js';

/** The checked ONNX file a version is registered with. */
export interface ModelFile {
  readonly digest: string;
  readonly size: number;
  readonly signature: ModelSignature;
}

export interface InsertDeps {
  readonly database: Database;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly lineage: LineageRecorder;
  readonly models: ModelService;
}

/**
 * User mistakes (a deleted model, an unknown run or dataset) are found before the blob is stored,
 * so a refused request leaves nothing behind; the transaction checks them again.
 */
export async function precheckVersion(database: Database, name: string, metadata: Metadata): Promise<void> {
  const db = database.db;
  const model = await db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
  if (model !== undefined) assertActive(model);
  await resolveLinks(db, metadata);
}

async function resolveLinks(executor: Executor, metadata: Metadata): Promise<DatasetLink[]> {
  if (metadata.run !== undefined) await findRunRow(executor, metadata.run);
  const links: DatasetLink[] = [];
  for (const { ref, role, field } of metadata.datasets) {
    const loaded = await loadDatasetVersion(executor, ref, field);
    const link = { dataset: loaded.dataset.name, version: Number(loaded.row.version), role };
    if (!links.some((l) => l.dataset === link.dataset && l.version === link.version && l.role === role)) {
      links.push(link);
    }
  }
  return links;
}

export async function insertVersion(
  deps: InsertDeps,
  ctx: RequestContext,
  name: string,
  file: ModelFile,
  metadata: Metadata,
): Promise<ModelVersion> {
  return mutate(deps.database, ctx, async (trx) => {
    let model = await trx.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
    if (model === undefined) {
      await deps.models.insert(trx, ctx, { name, description: '', tags: {} });
      model = await findModelRow(trx, name);
    }
    assertActive(model);
    model = await lockModel(trx, model.id);
    const links = await resolveLinks(trx, metadata);
    const last = await trx
      .selectFrom('model_versions')
      .select((eb) => eb.fn.max('version').as('last'))
      .where('model_id', '=', model.id)
      .executeTakeFirst();
    const version = (last?.last === null || last?.last === undefined ? 0 : Number(last.last)) + 1;
    const now = deps.clock.now();
    await recordBlobs(trx, [file], now);
    const row: ModelVersionRow = {
      id: newId(now),
      model_id: model.id,
      version,
      format: 'onnx',
      artifact_digest: file.digest,
      size: file.size,
      signature: JSON.stringify(file.signature),
      feature_names: metadata.featureNames === undefined ? null : JSON.stringify(metadata.featureNames),
      features: metadata.features === undefined ? null : JSON.stringify(metadata.features),
      classes: metadata.classes === undefined ? null : JSON.stringify(metadata.classes),
      metrics: JSON.stringify(metadata.metrics),
      run_id: metadata.run ?? null,
      datasets: JSON.stringify(links),
      description: metadata.description,
      tags: JSON.stringify(metadata.tags),
      approval_status: 'pending',
      approval_comment: null,
      approved_by: null,
      approved_at: null,
      card: metadata.card === undefined ? '{}' : JSON.stringify(metadata.card),
      created_by: ctx.actor.name,
      created_at: now,
    };
    await trx.insertInto('model_versions').values(row).execute();
    const target = modelNode(model.name, version);
    const edges: EdgeInput[] = links.map((link) => ({
      source: datasetNode(link.dataset, link.version),
      target,
      relation: link.role === 'train' ? 'trained_on' : 'validated_on',
    }));
    if (metadata.run !== undefined) {
      const run = runNode(metadata.run);
      edges.push({ source: run, target, relation: 'produced' });
      for (const link of links) {
        edges.push({ source: datasetNode(link.dataset, link.version), target: run, relation: 'input' });
      }
    }
    await deps.lineage.record(trx, ctx, edges);
    const entity = toModelVersion(model.name, row, []);
    await deps.audit.record(trx, ctx, {
      action: 'model.version.register',
      resourceType: 'model_version',
      resourceId: `${model.name}@${version}`,
      after: entity,
    });
    return entity;
  });
}

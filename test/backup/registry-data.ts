/**
 * The datasets, model registry and lineage part of the backup suites' fixture: a dataset with two
 * versions (the second derived from the first), a validation report, a model with two versions,
 * aliases moved, set, rolled back and deleted, approvals, a policy, a card, a deleted model and run
 * inputs; and the picture of all of it, through the SDK, that two installations are compared by.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AliasMove,
  Dataset,
  DatasetDiff,
  DatasetProfile,
  DatasetVersion,
  Model,
  ModelAlias,
  ModelCard,
  ModelDetails,
  ModelVersion,
  RowsPage,
  Slipway,
  ValidationReport,
} from '../../src/client/index.js';
import type { LineageGraph } from '../../src/lineage/index.js';
import { scoringModel, tabularModel } from '../registry/fixtures.js';

export const DATASET = 'orders';
export const MODEL = 'churn-model';
/** Every alias the fixture's model has had, 'staging' deleted since. */
const ALIASES = ['champion', 'challenger', 'staging'];

/** What populateRegistry stored, as the client sent it. */
export interface RegistryData {
  /** The bytes pushed, by `orders@N`. */
  readonly datasetBytes: ReadonlyMap<string, Buffer>;
  /** The ONNX files registered, by `churn-model@N`. */
  readonly modelBytes: ReadonlyMap<string, Buffer>;
  /** Every blob the datasets and models added: sources, Parquet forms and model files. */
  readonly digests: ReadonlySet<string>;
  readonly report: ValidationReport;
}

/** 40 orders; `shift` changes the amounts so that two versions differ. */
function ordersCsv(rows: number, shift: number): string {
  const lines = ['order_id,amount,status,created_at,coupon'];
  for (let i = 1; i <= rows; i++) {
    const amount = i % 13 === 0 ? 'NaN' : (i * 7.25 + shift).toFixed(2);
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(
      `${i},${amount},${['new', 'paid', 'shipped'][i % 3]},2024-01-${day}T10:00:00Z,${i % 4 ? '' : 'SAVE'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function ordersJsonl(rows: number): string {
  return Array.from({ length: rows }, (_, i) =>
    JSON.stringify({
      order_id: i + 1,
      amount: i % 11 === 0 ? null : (i + 1) * 9.5,
      status: ['new', 'paid', 'shipped', 'returned'][i % 4],
      created_at: `2024-02-${String(1 + (i % 28)).padStart(2, '0')}T09:30:00Z`,
      coupon: i % 5 === 0 ? 'SAVE' : null,
    }),
  ).join('\n');
}

export async function populateRegistry(sw: Slipway, runId: string): Promise<RegistryData> {
  const datasetBytes = new Map<string, Buffer>();
  const modelBytes = new Map<string, Buffer>();
  const digests = new Set<string>();
  const pushed = (version: DatasetVersion, bytes: Buffer) => {
    datasetBytes.set(`${version.dataset}@${version.version}`, bytes);
    digests.add(version.sourceDigest).add(version.dataDigest);
  };

  const v1 = Buffer.from(ordersCsv(40, 0));
  pushed(await sw.datasets.push(DATASET, v1, { format: 'csv', description: 'week 46', run: runId }), v1);
  const v2 = Buffer.from(ordersJsonl(60));
  pushed(
    await sw.datasets.push(DATASET, v2, {
      format: 'jsonl',
      description: 'cleaned',
      derivedFrom: [`${DATASET}@1`],
      run: runId,
    }),
    v2,
  );
  await sw.datasets.update(DATASET, { description: 'all orders', tags: { team: 'ads' } });
  await sw.datasets.updateVersion(`${DATASET}@1`, { tags: { stage: 'raw' } });
  const report = await sw.datasets.validate(`${DATASET}@2`, {
    name: 'orders-contract',
    expectations: [
      { type: 'column_exists', column: 'order_id' },
      { type: 'not_null', column: 'amount' },
      { type: 'values_in_set', column: 'status', values: ['new', 'paid', 'shipped'] },
      { type: 'unique', column: 'order_id' },
      { type: 'distribution_close_to', column: 'amount', reference: `${DATASET}@1`, maxPsi: 0.5 },
    ],
  });
  await sw.runs.logInputs(runId, [`${DATASET}@1`, `${DATASET}@latest`]);

  const first = Buffer.from(scoringModel(3, 1));
  const second = Buffer.from(tabularModel(3, 2));
  const registered = async (version: ModelVersion, bytes: Buffer) => {
    modelBytes.set(`${version.model}@${version.version}`, bytes);
    digests.add(version.digest);
  };
  await registered(
    await sw.models.register(MODEL, {
      file: first,
      run: runId,
      datasets: [
        { ref: `${DATASET}@2`, role: 'train' },
        { ref: `${DATASET}@1`, role: 'validation' },
      ],
      metrics: { auc: 0.91, logloss: 0.35 },
      description: 'weekly retrain',
      tags: { framework: 'onnx' },
    }),
    first,
  );
  await registered(
    await sw.models.register(MODEL, { file: second, featureNames: ['age', 'plan', 'tenure'] }),
    second,
  );
  await sw.models.approve(`${MODEL}@1`, 'reviewed in #412');
  await sw.models.reject(`${MODEL}@2`, 'worse on the holdout');
  await sw.models.setPolicy(MODEL, { requireApprovalFor: ['champion'] });
  await sw.models.alias.set(MODEL, 'champion', 1, { expectedVersion: null });
  await sw.models.alias.set(MODEL, 'challenger', 2);
  await sw.models.alias.set(MODEL, 'challenger', 1, { expectedVersion: 2 });
  await sw.models.alias.rollback(MODEL, 'challenger', { expectedVersion: 1 });
  await sw.models.alias.set(MODEL, 'staging', 2);
  await sw.models.alias.delete(MODEL, 'staging', { expectedVersion: 2 });
  await sw.models.setCard(`${MODEL}@1`, {
    description: 'churn scoring',
    intendedUse: 'retention outreach',
    limitations: 'not for accounts younger than 30 days',
    evaluation: [{ slice: 'all', dataset: `${DATASET}@2`, metrics: { auc: 0.91 } }],
    markdown: '## Notes\n\nTrained on *orders*.',
  });
  await sw.models.create({ name: 'retired-model', description: 'old', tags: { gone: 'yes' } });
  await sw.models.delete('retired-model');
  return { datasetBytes, modelBytes, digests, report };
}

export interface DatasetVersionState {
  readonly version: DatasetVersion;
  readonly profile: DatasetProfile;
  readonly rows: RowsPage;
  /** sha256 of the bytes served as pushed, and of the stored Parquet form. */
  readonly source: string;
  readonly parquet: string;
  readonly validations: readonly ValidationReport[];
}

export interface ModelVersionState {
  readonly version: ModelVersion;
  readonly card: ModelCard;
  readonly markdown: string;
  /** sha256 of the file `models.pull` wrote. */
  readonly pulled: string;
}

export interface RegistryState {
  readonly datasets: readonly Dataset[];
  readonly datasetVersions: Readonly<Record<string, readonly DatasetVersionState[]>>;
  readonly diffs: Readonly<Record<string, DatasetDiff>>;
  readonly models: readonly Model[];
  readonly details: Readonly<Record<string, ModelDetails>>;
  readonly modelVersions: Readonly<Record<string, readonly ModelVersionState[]>>;
  readonly aliases: Readonly<Record<string, readonly ModelAlias[]>>;
  readonly aliasHistory: Readonly<Record<string, readonly AliasMove[]>>;
  /** Both directions from every dataset version and model version. */
  readonly lineage: Readonly<Record<string, LineageGraph>>;
}

export async function captureRegistryState(sw: Slipway): Promise<RegistryState> {
  const work = await mkdtemp(join(tmpdir(), 'slipway-registry-state-'));
  try {
    const datasets = await all((pageToken) => sw.datasets.list({ limit: 1000, pageToken }));
    const datasetVersions: Record<string, DatasetVersionState[]> = {};
    const diffs: Record<string, DatasetDiff> = {};
    const lineage: Record<string, LineageGraph> = {};
    for (const dataset of datasets) {
      const versions = await all((pageToken) =>
        sw.datasets.versions(dataset.name, { limit: 1000, pageToken }),
      );
      const states: DatasetVersionState[] = [];
      for (const version of versions) {
        const ref = `${dataset.name}@${version.version}`;
        states.push({
          version,
          profile: await sw.datasets.profile(ref),
          rows: await sw.datasets.rows(ref, { limit: 1000 }),
          source: sha256(await sw.datasets.bytes(ref)),
          parquet: sha256(await sw.datasets.bytes(ref, { form: 'parquet' })),
          validations: await all((pageToken) => sw.datasets.validations(ref, { limit: 1000, pageToken })),
        });
        lineage[`dataset:${ref}`] = await sw.lineage.get({ node: `dataset:${ref}`, direction: 'both' });
      }
      datasetVersions[dataset.name] = states;
      if (versions.length > 1) {
        diffs[dataset.name] = await sw.datasets.diff(`${dataset.name}@1`, `${dataset.name}@latest`);
      }
    }

    const models = await all((pageToken) => sw.models.list({ lifecycle: 'all', limit: 1000, pageToken }));
    const details: Record<string, ModelDetails> = {};
    const modelVersions: Record<string, ModelVersionState[]> = {};
    const aliases: Record<string, ModelAlias[]> = {};
    const aliasHistory: Record<string, AliasMove[]> = {};
    for (const model of models) {
      details[model.name] = await sw.models.get(model.name);
      const versions = await all((pageToken) => sw.models.versions(model.name, { limit: 1000, pageToken }));
      const states: ModelVersionState[] = [];
      for (const version of versions) {
        const ref = `${model.name}@${version.version}`;
        const file = join(work, `${model.name}-${version.version}.onnx`);
        await sw.models.pull(ref, file);
        states.push({
          version,
          card: await sw.models.card(ref),
          markdown: await sw.models.cardMarkdown(ref),
          pulled: sha256(await readFile(file)),
        });
        lineage[`model:${ref}`] = await sw.lineage.get({ node: `model:${ref}`, direction: 'both' });
      }
      modelVersions[model.name] = states;
      aliases[model.name] = [...(await sw.models.alias.list(model.name))];
      // A deleted alias keeps its history: the fixture's are asked for by name.
      const names = model.name === MODEL ? ALIASES : aliases[model.name]!.map((a) => a.alias);
      for (const alias of names) {
        aliasHistory[`${model.name}/${alias}`] = await all((pageToken) =>
          sw.models.alias.history(model.name, alias, { limit: 1000, pageToken }),
        );
      }
    }
    return {
      datasets,
      datasetVersions,
      diffs,
      models,
      details,
      modelVersions,
      aliases,
      aliasHistory,
      lineage,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every item of a paged listing. */
export async function all<T>(
  list: (pageToken: string | undefined) => Promise<{ items: readonly T[]; nextPageToken?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let pageToken: string | undefined;
  do {
    const page = await list(pageToken);
    items.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return items;
}

/**
 * The quickstart's data and registry steps: the demo table becomes a dataset version before
 * training, and the model AutoML registered becomes champion, its lineage checked end to end.
 */
import type { Slipway } from '../client/slipway.js';
import type { ModelVersion } from '../registry/index.js';
import { CHURN_TARGET, type ChurnRow, toCsv } from './churn-data.js';

export const DEMO_DATASET = 'churn-train';
export const DEMO_MODEL = 'churn';

/** Pushes the demo table (pushing the same rows again answers the existing version); `churn-train@N`. */
export async function pushDemoData(
  sw: Slipway,
  rows: readonly ChurnRow[],
  say: (line: string) => void,
): Promise<string> {
  const version = await sw.datasets.push(DEMO_DATASET, Buffer.from(toCsv(rows)), {
    format: 'csv',
    description: 'Quickstart: synthetic churn table',
  });
  const ref = `${DEMO_DATASET}@${version.version}`;
  const profile = await sw.datasets.profile(ref);
  const churned = profile.columns.find((column) => column.name === CHURN_TARGET);
  if (churned?.numeric === undefined || churned.count !== rows.length) {
    throw new Error(`the profile of ${ref} does not describe the pushed rows`);
  }
  say(
    `dataset ${ref}: ${version.rowCount} rows, ${version.columns.length} columns, churn rate ${churned.numeric.mean.toFixed(3)}`,
  );
  return ref;
}

/** Points `champion` at the registered version and checks its lineage reaches the training data. */
export async function crownChampion(
  sw: Slipway,
  ref: string,
  dataset: string,
  say: (line: string) => void,
): Promise<ModelVersion> {
  const registered = await sw.models.version(ref);
  await sw.models.alias.set(registered.model, 'champion', registered.version);
  const lineage = await sw.lineage.get({ node: `model:${registered.model}@champion`, direction: 'upstream' });
  if (!lineage.nodes.some((node) => node.id === `dataset:${dataset}`)) {
    throw new Error(`the lineage of ${ref} does not lead to ${dataset}`);
  }
  const features = (registered.features ?? []).map((f) => `${f.name} (${f.type})`).join(', ');
  say(`model ${ref}: features ${features}; classes ${(registered.classes ?? []).join(', ')}`);
  say(`alias champion -> ${ref}; its lineage leads to ${dataset}; approval ${registered.approval.status}`);
  return registered;
}

/**
 * The quickstart's data and registry steps: the demo tables become dataset versions before training,
 * and the best trial's model becomes a registered version with its lineage (datasets -> run -> model),
 * then the champion alias points at it.
 */
import type { Slipway } from '../client/slipway.js';
import type { ModelVersion } from '../registry/index.js';
import { CHURN_FEATURES, type Dataset, toCsv } from './churn-data.js';

export const DEMO_TRAIN_DATASET = 'churn-train';
export const DEMO_VALID_DATASET = 'churn-valid';
export const DEMO_MODEL = 'churn';

export interface DemoDatasets {
  /** `churn-train@N` */
  readonly train: string;
  readonly valid: string;
}

/** Pushes the demo tables; pushing the same rows again answers the existing versions. */
export async function pushDemoData(
  sw: Slipway,
  train: Dataset,
  valid: Dataset,
  say: (line: string) => void,
): Promise<DemoDatasets> {
  const refs: string[] = [];
  for (const [name, data] of [
    [DEMO_TRAIN_DATASET, train],
    [DEMO_VALID_DATASET, valid],
  ] as const) {
    const version = await sw.datasets.push(name, Buffer.from(toCsv(data)), {
      format: 'csv',
      description: 'Quickstart: synthetic churn table',
    });
    const churned = (await sw.datasets.profile(`${name}@${version.version}`)).columns.find(
      (column) => column.name === 'churned',
    );
    if (churned?.numeric === undefined || churned.count !== data.rows) {
      throw new Error(`the profile of ${name}@${version.version} does not describe the pushed rows`);
    }
    refs.push(`${name}@${version.version}`);
    say(
      `dataset ${name}@${version.version}: ${version.rowCount} rows, ${version.columns.length} columns, churn rate ${churned.numeric.mean.toFixed(3)}`,
    );
  }
  return { train: refs[0]!, valid: refs[1]! };
}

/** Registers the best trial's model.onnx with its run, datasets and accuracy; makes it champion. */
export async function registerBestModel(
  sw: Slipway,
  best: { readonly id: string; readonly accuracy: number },
  datasets: DemoDatasets,
  say: (line: string) => void,
): Promise<ModelVersion> {
  const version = await sw.models.register(DEMO_MODEL, {
    source: `runs/${best.id}/artifacts/model.onnx`,
    run: best.id,
    datasets: [
      { ref: datasets.train, role: 'train' },
      { ref: datasets.valid, role: 'validation' },
    ],
    metrics: { 'valid/accuracy': best.accuracy },
    featureNames: CHURN_FEATURES,
    description: 'Quickstart: logistic regression churn classifier',
  });
  const ref = `${DEMO_MODEL}@${version.version}`;
  await sw.models.alias.set(DEMO_MODEL, 'champion', version.version);
  const lineage = await sw.lineage.get({ node: `model:${DEMO_MODEL}@champion`, direction: 'upstream' });
  if (!lineage.nodes.some((node) => node.id === `dataset:${datasets.train}`)) {
    throw new Error(`the lineage of ${ref} does not lead to ${datasets.train}`);
  }
  const input = version.signature.inputs
    .map((i) => `${i.name} ${i.elementType}[${(i.shape ?? []).map((d) => d ?? '?').join(', ')}]`)
    .join(', ');
  say(
    `registered model ${ref} (input ${input}), alias champion -> ${version.version}; lineage leads to ${datasets.train}`,
  );
  return version;
}

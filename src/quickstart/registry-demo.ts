/**
 * The quickstart's registry read-back: the pipeline's `champion` step moved the alias; this checks,
 * through the API a user would call, that it names the version the pipeline trained and that its
 * lineage reaches the training data.
 */
import type { Slipway } from '../client/slipway.js';
import type { ModelVersion } from '../registry/index.js';

export const DEMO_DATASET = 'churn-train';
export const DEMO_MODEL = 'churn';

export async function checkChampion(
  sw: Slipway,
  ref: string,
  dataset: string,
  say: (line: string) => void,
): Promise<ModelVersion> {
  const champion = await sw.models.version(`${DEMO_MODEL}@champion`);
  if (`${champion.model}@${champion.version}` !== ref) {
    throw new Error(`${DEMO_MODEL}@champion is ${champion.model}@${champion.version}, not ${ref}`);
  }
  const lineage = await sw.lineage.get({ node: `model:${DEMO_MODEL}@champion`, direction: 'upstream' });
  if (!lineage.nodes.some((node) => node.id === `dataset:${dataset}`)) {
    throw new Error(`the lineage of ${ref} does not lead to ${dataset}`);
  }
  const features = (champion.features ?? []).map((f) => `${f.name} (${f.type})`).join(', ');
  say(`model ${ref}: features ${features}; classes ${(champion.classes ?? []).join(', ')}`);
  say(`alias champion -> ${ref}; its lineage leads to ${dataset}; approval ${champion.approval.status}`);
  return champion;
}

/** Where the quickstart finds the churn-retrain example, beside churn-lifecycle (see lifecycle-example.ts). */
import { fileURLToPath } from 'node:url';

export const RETRAIN_PIPELINE = 'churn-retrain';

export function retrainExampleFile(): string {
  return fileURLToPath(new URL('../../examples/churn-lifecycle/retrain.yaml', import.meta.url));
}

/**
 * Where the quickstart finds the churn-lifecycle example: the `examples/` folder at the package's
 * root, found from this module (src/quickstart or dist/quickstart, both two levels down), so it works
 * from a clone (`npm run quickstart`) and from an installed package (`files` ships `examples`).
 */
import { fileURLToPath } from 'node:url';

export const LIFECYCLE_PIPELINE = 'churn-lifecycle';

export function lifecycleExampleFile(): string {
  return fileURLToPath(new URL('../../examples/churn-lifecycle/pipeline.yaml', import.meta.url));
}

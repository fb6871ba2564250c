/** Every child run of an AutoML run (all pages), for the AutoML suites. */
import type { Run, Slipway } from '../../src/client/index.js';

export async function childRuns(sw: Slipway, experiment: string, parentRunId: string): Promise<Run[]> {
  const runs: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await sw.runs.list({
      experiment,
      parentRunId,
      limit: 100,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    runs.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return runs;
}

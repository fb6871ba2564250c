/** slipway datasets [list|push|show|versions|rows|pull|tag|diff|validate] */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerDatasetChecks } from './dataset-checks.js';

export function registerDatasets(program: Command, ctx: CliContext): void {
  const datasets = program
    .command('datasets')
    .alias('dataset')
    .description('Datasets: immutable, versioned tabular data with profiles, diffs and validation');

  // SCAFFOLD(D1): list (default), push, show, versions, rows, pull, tag … go here.

  registerDatasetChecks(datasets, ctx);
}

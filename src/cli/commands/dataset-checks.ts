/** slipway datasets diff|validate|reports */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerDatasetChecks(_datasets: Command, _ctx: CliContext): void {
  // SCAFFOLD(D2): diff, validate, reports go here.
}

/** slipway models [list|create|show|delete|register|versions|pull|alias|approve|reject|card|policy] */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerModels(program: Command, _ctx: CliContext): void {
  program
    .command('models')
    .alias('model')
    .description('The model registry: versions, aliases, approvals, cards');
  // SCAFFOLD(registry): subcommands go here (small files by concern are welcome).
}

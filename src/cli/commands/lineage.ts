/** slipway lineage <node> */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerLineage(_program: Command, _ctx: CliContext): void {}

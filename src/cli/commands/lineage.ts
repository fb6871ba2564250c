/** slipway lineage <node> [--direction upstream|downstream|both] [--depth N] */
import type { Command } from 'commander';
import { LINEAGE_DIRECTIONS, type LineageDirection } from '../../lineage/index.js';
import { type CliContext, UsageError } from '../context.js';
import { renderLineage } from '../lineage-tree.js';

export function registerLineage(program: Command, ctx: CliContext): void {
  program
    .command('lineage <node>')
    .description(
      "Where a node came from and what depends on it; node is 'model:churn@3', 'model:churn@champion', 'dataset:orders@7' or 'run:<id>'",
    )
    .option('--direction <direction>', `one of ${LINEAGE_DIRECTIONS.join(', ')}`, 'both')
    .option('--depth <n>', 'how many edges to follow (default 10)')
    .action(async (node: string, options: { direction: string; depth?: string }) => {
      if (!(LINEAGE_DIRECTIONS as readonly string[]).includes(options.direction)) {
        throw new UsageError(
          `--direction must be one of ${LINEAGE_DIRECTIONS.join(', ')}, got '${options.direction}'`,
        );
      }
      const depth = options.depth === undefined ? undefined : Number(options.depth);
      if (depth !== undefined && (!Number.isInteger(depth) || depth < 1)) {
        throw new UsageError(`--depth must be a whole number from 1, got '${options.depth}'`);
      }
      const sw = await ctx.client();
      const graph = await sw.lineage.get({
        node,
        direction: options.direction as LineageDirection,
        ...(depth === undefined ? {} : { depth }),
      });
      ctx.emit(
        graph,
        () => renderLineage(graph),
        () => graph.nodes.map((n) => n.id),
      );
    });
}

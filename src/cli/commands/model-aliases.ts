/** slipway models alias [list|get|set|history|rollback|delete] */
import type { Command } from 'commander';
import type { ModelAlias } from '../../registry/index.js';
import { type CliContext, morePages, pageFlags, parseInteger, UsageError, withPaging } from '../context.js';
import { formatTime } from '../format.js';

export function registerModelAliases(models: Command, ctx: CliContext): void {
  const alias = models
    .command('alias')
    .alias('aliases')
    .description('Aliases: named pointers to versions, moved by compare-and-set');

  const emitAlias = (result: ModelAlias, verb: string) =>
    ctx.emit(
      result,
      () => `${result.model}@${result.alias} ${verb} version ${result.version}`,
      () => [`${result.model}@${result.version}`],
    );

  alias
    .command('list <name>', { isDefault: true })
    .description("A model's aliases")
    .action(async (name: string) => {
      const sw = await ctx.client();
      const items = await sw.models.alias.list(name);
      ctx.emit(
        { items },
        () =>
          ctx.table(
            ['ALIAS', 'VERSION', 'UPDATED', 'BY'],
            items.map((a) => [a.alias, String(a.version), formatTime(a.updatedAt), a.updatedBy]),
          ),
        () => items.map((a) => a.alias),
      );
    });

  alias
    .command('get <name> <alias>')
    .description('Where an alias points')
    .action(async (name: string, aliasName: string) => {
      const sw = await ctx.client();
      emitAlias(await sw.models.alias.get(name, aliasName), 'points at');
    });

  alias
    .command('set <name> <alias> <version>')
    .description('Point an alias at a version (--expected makes it a compare-and-set)')
    .option('--expected <version|none>', "the version it must point at now ('none': it must not exist yet)")
    .action(async (name: string, aliasName: string, version: string, options: { expected?: string }) => {
      const sw = await ctx.client();
      const target = parseInteger('<version>')(version);
      const expected =
        options.expected === undefined
          ? undefined
          : options.expected === 'none'
            ? null
            : parseExpected(options.expected);
      const result = await sw.models.alias.set(name, aliasName, target, {
        ...(expected === undefined ? {} : { expectedVersion: expected }),
      });
      emitAlias(result, 'now points at');
    });

  withPaging(alias.command('history <name> <alias>'))
    .description('Every move of an alias, newest first')
    .action(async (name: string, aliasName: string, options: { limit?: number; pageToken?: string }) => {
      const sw = await ctx.client();
      const page = await sw.models.alias.history(name, aliasName, pageFlags(options));
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['AT', 'FROM', 'TO', 'REASON', 'ACTOR'],
            page.items.map((m) => [
              formatTime(m.at),
              m.from === undefined ? '-' : String(m.from),
              m.to === undefined ? '-' : String(m.to),
              m.reason,
              m.actor,
            ]),
          ) + morePages(page.nextPageToken),
        () => page.items.map((m) => m.id),
      );
    });

  alias
    .command('rollback <name> <alias>')
    .description('Move an alias back to the version it pointed at before its latest move')
    .option('--expected <version>', 'the version it must point at now')
    .action(async (name: string, aliasName: string, options: { expected?: string }) => {
      const sw = await ctx.client();
      const result = await sw.models.alias.rollback(name, aliasName, expectedOption(options.expected));
      emitAlias(result, 'rolled back to');
    });

  alias
    .command('delete <name> <alias>')
    .description('Delete an alias (its history is kept)')
    .option('--expected <version>', 'the version it must point at now')
    .action(async (name: string, aliasName: string, options: { expected?: string }) => {
      const sw = await ctx.client();
      const result = await sw.models.alias.delete(name, aliasName, expectedOption(options.expected));
      ctx.emit(
        result,
        () => `deleted ${result.model}@${result.alias} (it pointed at version ${result.version})`,
        () => [result.alias],
      );
    });
}

function parseExpected(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`--expected expects a version number or 'none', got '${value}'`);
  }
  return Number(value);
}

function expectedOption(value: string | undefined): { expectedVersion?: number } {
  return value === undefined ? {} : { expectedVersion: parseExpected(value) };
}

/** slipway token [create|list|revoke], slipway whoami, slipway audit */
import type { Command } from 'commander';
import { ROLES, type Role } from '../../core/context.js';
import { type CliContext, morePages, UsageError, withPaging } from '../context.js';
import { formatTime, shorten } from '../format.js';

export function registerAccess(program: Command, ctx: CliContext): void {
  const token = program.command('token').alias('tokens').description('API tokens (admin)');

  token
    .command('list', { isDefault: true })
    .description('List live tokens (--all includes revoked ones)')
    .option('--all', 'include revoked tokens')
    .action(async (options: { all?: boolean }) => {
      const sw = await ctx.client();
      const items = await sw.tokens.list({ includeRevoked: options.all === true });
      ctx.emit(
        { items },
        () =>
          ctx.table(
            ['NAME', 'ROLE', 'ID', 'CREATED', 'BY', 'LAST USED', 'EXPIRES', 'REVOKED'],
            items.map((t) => [
              t.name,
              t.role,
              t.id,
              formatTime(t.createdAt),
              t.createdBy,
              formatTime(t.lastUsedAt),
              formatTime(t.expiresAt),
              formatTime(t.revokedAt),
            ]),
          ),
        () => items.map((t) => t.id),
      );
    });

  token
    .command('create')
    .description('Create a token; its secret is printed once')
    .requiredOption('--name <name>', 'a name for the token, e.g. ci')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--expires <time>', 'ISO time after which the token stops working')
    .action(async (options: { name: string; role: string; expires?: string }) => {
      if (!(ROLES as readonly string[]).includes(options.role)) {
        throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${options.role}'`);
      }
      const sw = await ctx.client();
      const created = await sw.tokens.create({
        name: options.name,
        role: options.role as Role,
        ...(options.expires === undefined ? {} : { expiresAt: options.expires }),
      });
      ctx.emit(
        created,
        () =>
          `${created.token}\n(token '${created.name}', role ${created.role}: store the secret above now; it is not shown again)`,
        () => [created.token],
      );
    });

  token
    .command('revoke <idOrName>')
    .description('Revoke a token by id or name')
    .action(async (idOrName: string) => {
      const sw = await ctx.client();
      const revoked = await sw.tokens.revoke(idOrName);
      ctx.emit(
        revoked,
        () => `revoked token '${revoked.name}' (${revoked.id})`,
        () => [revoked.id],
      );
    });

  program
    .command('whoami')
    .description("The current token's name and role")
    .action(async () => {
      const sw = await ctx.client();
      const actor = await sw.whoami();
      ctx.emit(
        actor,
        () => `${actor.name} (${actor.role}) at ${sw.url}`,
        () => [actor.name],
      );
    });

  withPaging(program.command('audit'))
    .description('The audit log, newest first: who changed what, when')
    .option('--resource <type[:id]>', 'e.g. run or run:01J...')
    .option('--actor <name>', 'token name')
    .option('--action <action>', 'e.g. run (every run.*) or experiment.delete')
    .option('--since <time>', 'ISO time or a duration such as 15m, 2h, 7d')
    .option('--until <time>', 'ISO time')
    .action(
      async (options: {
        resource?: string;
        actor?: string;
        action?: string;
        since?: string;
        until?: string;
        limit?: number;
        pageToken?: string;
      }) => {
        const sw = await ctx.client();
        const page = await sw.audit.list(options);
        ctx.emit(
          page,
          () =>
            ctx.table(
              ['TIME', 'ACTOR', 'ACTION', 'RESOURCE', 'CHANGE'],
              page.items.map((e) => [
                formatTime(e.at),
                e.actor,
                e.action,
                `${e.resourceType}:${e.resourceId}`,
                shorten(JSON.stringify(e.after ?? e.before ?? {}), 60),
              ]),
            ) + morePages(page.nextPageToken),
          () => page.items.map((e) => e.id),
        );
      },
    );
}

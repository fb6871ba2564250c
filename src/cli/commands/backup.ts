/** slipway backup <file> (from the running server), slipway restore <file> (offline, into an empty installation) */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { restoreInstallation } from '../../backup/index.js';
import { loadServerConfig } from '../../core/config.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../format.js';

export function registerBackup(program: Command, ctx: CliContext): void {
  program
    .command('backup <file>')
    .description(
      'Write a consistent backup (database and artifacts) of the running server to a tar file (admin)',
    )
    .action(async (file: string) => {
      const sw = await ctx.client();
      const target = resolve(ctx.io.cwd, file);
      ctx.note(`backing up ${sw.url} to ${target}`);
      const backup = await sw.backup.download(target);
      const { tables, blobs, migration, sourceDialect, createdAt } = backup.manifest;
      ctx.emit(
        backup,
        () =>
          [
            `wrote ${backup.file} (${formatBytes(backup.bytes)}): snapshot of ${createdAt}, ${sourceDialect}, schema ${migration}`,
            ctx.table(
              ['TABLE', 'ROWS'],
              Object.entries(tables).map(([table, rows]) => [table, String(rows)]),
            ),
            `blobs: ${blobs.count} (${formatBytes(blobs.bytes)})`,
          ].join('\n'),
        () => [backup.file],
      );
    });

  program
    .command('restore <file>')
    .description(
      'Restore a backup into the configured, empty installation (SLIPWAY_HOME, SLIPWAY_DATABASE_URL, SLIPWAY_ARTIFACTS_URL); the server must not be running',
    )
    .option('--new-admin-token', 'also create a new admin token and write it to $SLIPWAY_HOME/admin.token')
    .action(async (file: string, options: { newAdminToken?: boolean }) => {
      const config = loadServerConfig(ctx.io.env, ctx.io.cwd);
      const source = resolve(ctx.io.cwd, file);
      ctx.note(`restoring ${source} into ${config.home}`);
      const restored = await restoreInstallation(config, source, {
        newAdminToken: options.newAdminToken === true,
        onProgress: (message) => ctx.note(message),
      });
      const { tables, blobs, migration } = restored.manifest;
      const rows = Object.values(tables).reduce((sum, count) => sum + count, 0);
      const upgraded =
        restored.upgraded.length === 0 ? '' : `, then upgraded through ${restored.upgraded.at(-1)}`;
      const tokenLine =
        restored.adminToken === undefined
          ? `the backup's tokens work as before; with an admin one, \`slipway token create --role admin --name <name>\` adds another (\`restore --new-admin-token\` writes one to ${config.home}/admin.token)`
          : `new admin token '${restored.adminToken.name}' written to ${restored.adminToken.path}`;
      ctx.emit(
        {
          file: source,
          home: config.home,
          manifest: restored.manifest,
          upgraded: restored.upgraded,
          ...(restored.adminToken === undefined ? {} : { adminToken: restored.adminToken }),
        },
        () =>
          [
            `restored ${rows} rows in ${Object.keys(tables).length} tables and ${blobs.count} blobs (${formatBytes(blobs.bytes)}) at schema ${migration}${upgraded}`,
            tokenLine,
          ].join('\n'),
        () => [config.home],
      );
    });
}

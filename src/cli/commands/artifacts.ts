/** slipway artifacts [list|put|get] */
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatBytes, formatTime } from '../format.js';

export function registerArtifacts(program: Command, ctx: CliContext): void {
  const artifacts = program
    .command('artifacts')
    .alias('artifact')
    .description("A run's files, stored by content digest");

  artifacts
    .command('list <runId> [prefix]', { isDefault: true })
    .description("List a run's artifacts")
    .action(async (runId: string, prefix: string | undefined) => {
      const sw = await ctx.client();
      const items = await sw.artifacts.list(runId, prefix);
      ctx.emit(
        { items },
        () =>
          ctx.table(
            ['PATH', 'SIZE', 'SHA256', 'CREATED'],
            items.map((a) => [a.path, formatBytes(a.size), a.digest, formatTime(a.createdAt)]),
          ),
        () => items.map((a) => a.path),
      );
    });

  artifacts
    .command('put <runId> <file> [path]')
    .description('Upload a local file as an artifact (path defaults to the file name)')
    .action(async (runId: string, file: string, path: string | undefined) => {
      const sw = await ctx.client();
      const info = await sw.artifacts.put(runId, path ?? basename(file), resolve(ctx.io.cwd, file));
      ctx.emit(
        info,
        () => `uploaded ${info.path} (${formatBytes(info.size)}, sha256 ${info.digest})`,
        () => [info.digest],
      );
    });

  artifacts
    .command('get <runId> <path>')
    .description('Download an artifact, verified against its sha256 (-o - writes to stdout)')
    .option('-o, --output <file>', 'where to write it (default: the file name, in this folder)')
    .action(async (runId: string, path: string, options: { output?: string }) => {
      const sw = await ctx.client();
      if (options.output === '-') {
        ctx.io.stdout.write(await sw.artifacts.bytes(runId, path));
        return;
      }
      const target = resolve(ctx.io.cwd, options.output ?? basename(path));
      const info = await sw.artifacts.download(runId, path, target);
      ctx.emit(
        info,
        () => `wrote ${target} (${formatBytes(info.size)}, sha256 verified)`,
        () => [target],
      );
    });
}

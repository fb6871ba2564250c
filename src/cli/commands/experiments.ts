/** slipway experiments [list|create|show|update|rename|delete|restore] */
import type { Command } from 'commander';
import type { Experiment } from '../../tracking/index.js';
import { type CliContext, collectList, collectPairs, morePages, pageFlags, withPaging } from '../context.js';
import { formatTime, shorten } from '../format.js';

export function registerExperiments(program: Command, ctx: CliContext): void {
  const experiments = program
    .command('experiments')
    .alias('experiment')
    .description('Experiments: named groups of runs');

  const list = async (options: {
    deleted?: boolean;
    all?: boolean;
    nameContains?: string;
    limit?: number;
    pageToken?: string;
  }) => {
    const sw = await ctx.client();
    const page = await sw.experiments.list({
      lifecycle: options.all ? 'all' : options.deleted ? 'deleted' : 'active',
      ...(options.nameContains === undefined ? {} : { nameContains: options.nameContains }),
      ...pageFlags(options),
    });
    ctx.emit(
      page,
      () =>
        ctx.table(
          ['NAME', 'ID', 'LIFECYCLE', 'CREATED', 'DESCRIPTION'],
          page.items.map((e) => [e.name, e.id, e.lifecycle, formatTime(e.createdAt), shorten(e.description)]),
        ) + morePages(page.nextPageToken),
      () => page.items.map((e) => e.id),
    );
  };

  withPaging(experiments.command('list', { isDefault: true }))
    .description('List experiments, newest first')
    .option('--deleted', 'only deleted experiments')
    .option('--all', 'active and deleted experiments')
    .option('--name-contains <text>', 'only names containing this text')
    .action(list);

  experiments
    .command('create <name>')
    .description('Create an experiment')
    .option('-d, --description <text>', 'what the experiment is for')
    .option('--tag <key=value>', 'a tag (repeatable)', collectPairs('--tag'))
    .action(async (name: string, options: { description?: string; tag?: Record<string, string> }) => {
      const sw = await ctx.client();
      const experiment = await sw.experiments.create({
        name,
        ...(options.description === undefined ? {} : { description: options.description }),
        ...(options.tag === undefined ? {} : { tags: options.tag }),
      });
      ctx.emit(
        experiment,
        () => `created experiment '${experiment.name}' (${experiment.id})`,
        () => [experiment.id],
      );
    });

  experiments
    .command('show <idOrName>')
    .description('Show an experiment')
    .action(async (idOrName: string) => {
      const sw = await ctx.client();
      const experiment = await sw.experiments.get(idOrName);
      ctx.emit(
        experiment,
        () => describe(experiment),
        () => [experiment.id],
      );
    });

  experiments
    .command('update <idOrName>')
    .description("Change an experiment's name, description or tags")
    .option('--name <name>', 'new name')
    .option('-d, --description <text>', 'new description')
    .option('--tag <key=value>', 'set a tag (repeatable)', collectPairs('--tag'))
    .option('--untag <key>', 'remove a tag (repeatable, or comma-separated)', collectList)
    .action(
      async (
        idOrName: string,
        options: { name?: string; description?: string; tag?: Record<string, string>; untag?: string[] },
      ) => {
        const sw = await ctx.client();
        const tags: Record<string, string | null> = { ...options.tag };
        for (const key of options.untag ?? []) tags[key] = null;
        const experiment = await sw.experiments.update(idOrName, {
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.description === undefined ? {} : { description: options.description }),
          ...(Object.keys(tags).length === 0 ? {} : { tags }),
        });
        ctx.emit(
          experiment,
          () => describe(experiment),
          () => [experiment.id],
        );
      },
    );

  experiments
    .command('rename <idOrName> <newName>')
    .description('Rename an experiment')
    .action(async (idOrName: string, newName: string) => {
      const sw = await ctx.client();
      const experiment = await sw.experiments.update(idOrName, { name: newName });
      ctx.emit(
        experiment,
        () => `renamed to '${experiment.name}' (${experiment.id})`,
        () => [experiment.id],
      );
    });

  experiments
    .command('delete <idOrName>')
    .description('Soft-delete an experiment (admin); restore brings it back')
    .action(async (idOrName: string) => {
      const sw = await ctx.client();
      const experiment = await sw.experiments.delete(idOrName);
      ctx.emit(
        experiment,
        () =>
          `deleted experiment '${experiment.name}' (restore with: slipway experiments restore ${experiment.id})`,
        () => [experiment.id],
      );
    });

  experiments
    .command('restore <idOrName>')
    .description('Restore a deleted experiment (admin)')
    .action(async (idOrName: string) => {
      const sw = await ctx.client();
      const experiment = await sw.experiments.restore(idOrName);
      ctx.emit(
        experiment,
        () => `restored experiment '${experiment.name}'`,
        () => [experiment.id],
      );
    });
}

function describe(e: Experiment): string {
  const tags = Object.entries(e.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return [
    `Experiment ${e.name} (${e.id})`,
    `  lifecycle    ${e.lifecycle}${e.deletedAt === undefined ? '' : ` since ${formatTime(e.deletedAt)}`}`,
    `  created      ${formatTime(e.createdAt)}`,
    `  updated      ${formatTime(e.updatedAt)}`,
    `  description  ${e.description === '' ? '-' : e.description}`,
    `  tags         ${tags === '' ? '-' : tags}`,
  ].join('\n');
}

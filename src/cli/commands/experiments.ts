/** slipway experiments [list|create|show|update|rename|delete|restore] */
import type { Command } from 'commander';
import type { Experiment } from '../../tracking/index.js';
import { type CliContext, morePages } from '../context.js';
import {
  type CreateFlags,
  createInput,
  type LifecycleFlags,
  lifecycleQuery,
  registerSoftDelete,
  type UpdateFlags,
  updateInput,
  withCreateFlags,
  withLifecycleFilters,
  withUpdateFlags,
} from '../entity-commands.js';
import { fieldBlock, formatLifecycle, formatTags, formatTime, orDash, shorten } from '../format.js';

export function registerExperiments(program: Command, ctx: CliContext): void {
  const experiments = program
    .command('experiments')
    .alias('experiment')
    .description('Experiments: named groups of runs');

  const list = async (options: LifecycleFlags) => {
    const sw = await ctx.client();
    const page = await sw.experiments.list(lifecycleQuery(options));
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

  withLifecycleFilters(experiments.command('list', { isDefault: true }), 'experiments')
    .description('List experiments, newest first')
    .action(list);

  withCreateFlags(
    experiments.command('create <name>').description('Create an experiment'),
    'what the experiment is for',
  ).action(async (name: string, options: CreateFlags) => {
    const sw = await ctx.client();
    const experiment = await sw.experiments.create({ name, ...createInput(options) });
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

  withUpdateFlags(
    experiments
      .command('update <idOrName>')
      .description("Change an experiment's name, description or tags")
      .option('--name <name>', 'new name'),
  ).action(async (idOrName: string, options: UpdateFlags & { name?: string }) => {
    const sw = await ctx.client();
    const experiment = await sw.experiments.update(idOrName, {
      ...(options.name === undefined ? {} : { name: options.name }),
      ...updateInput(options),
    });
    ctx.emit(
      experiment,
      () => describe(experiment),
      () => [experiment.id],
    );
  });

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

  registerSoftDelete<Experiment>(experiments, ctx, {
    noun: 'experiment',
    aNoun: 'an experiment',
    argument: '<idOrName>',
    key: (experiment) => experiment.id,
    delete: (sw, idOrName) => sw.experiments.delete(idOrName),
    restore: (sw, idOrName) => sw.experiments.restore(idOrName),
  });
}

function describe(e: Experiment): string {
  return fieldBlock(`Experiment ${e.name} (${e.id})`, [
    ['lifecycle', formatLifecycle(e)],
    ['created', formatTime(e.createdAt)],
    ['updated', formatTime(e.updatedAt)],
    ['description', orDash(e.description)],
    ['tags', formatTags(e.tags)],
  ]);
}

/** slipway models [list|create|show|update|delete|restore|register|versions|pull|alias|approve|reject|policy|card] */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Model, ModelDetails, ModelVersion, TensorSpec } from '../../registry/index.js';
import {
  type CliContext,
  collectList,
  collectPairs,
  morePages,
  pageFlags,
  UsageError,
  withPaging,
} from '../context.js';
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
import {
  fieldBlock,
  formatBytes,
  formatLifecycle,
  formatNumber,
  formatTags,
  formatTime,
  orDash,
  shorten,
} from '../format.js';
import { registerModelAliases } from './model-aliases.js';
import { describePolicy, registerModelGovernance } from './model-governance.js';

export function registerModels(program: Command, ctx: CliContext): void {
  const models = program
    .command('models')
    .alias('model')
    .description('The model registry: versions, aliases, approvals, cards');

  withLifecycleFilters(models.command('list', { isDefault: true }), 'models')
    .description('List models, newest first')
    .action(async (options: LifecycleFlags) => {
      const sw = await ctx.client();
      const page = await sw.models.list(lifecycleQuery(options));
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['NAME', 'LATEST', 'LIFECYCLE', 'CREATED', 'DESCRIPTION'],
            page.items.map((m) => [
              m.name,
              m.latestVersion === undefined ? '-' : String(m.latestVersion),
              m.lifecycle,
              formatTime(m.createdAt),
              shorten(m.description),
            ]),
          ) + morePages(page.nextPageToken),
        () => page.items.map((m) => m.name),
      );
    });

  withCreateFlags(
    models.command('create <name>').description('Create a model (register also creates it on first use)'),
    'what the model is for',
  ).action(async (name: string, options: CreateFlags) => {
    const sw = await ctx.client();
    const model = await sw.models.create({ name, ...createInput(options) });
    ctx.emit(
      model,
      () => `created model '${model.name}'`,
      () => [model.name],
    );
  });

  models
    .command('show <ref>')
    .description('Show a model (name) or one of its versions (name@3, name@champion)')
    .action(async (ref: string) => {
      const sw = await ctx.client();
      if (ref.includes('@')) {
        const version = await sw.models.version(ref);
        ctx.emit(
          version,
          () => describeVersion(version),
          () => [`${version.model}@${version.version}`],
        );
      } else {
        const model = await sw.models.get(ref);
        ctx.emit(
          model,
          () => describeModel(model),
          () => [model.name],
        );
      }
    });

  withUpdateFlags(models.command('update <name>').description("Change a model's description or tags")).action(
    async (name: string, options: UpdateFlags) => {
      const sw = await ctx.client();
      const model = await sw.models.update(name, updateInput(options));
      ctx.emit(
        model,
        () => `updated model '${model.name}'`,
        () => [model.name],
      );
    },
  );

  registerSoftDelete<Model>(models, ctx, {
    noun: 'model',
    aNoun: 'a model',
    argument: '<name>',
    key: (model) => model.name,
    delete: (sw, name) => sw.models.delete(name),
    restore: (sw, name) => sw.models.restore(name),
  });

  models
    .command('register <name> [file]')
    .description('Register an ONNX file (or --source, a run artifact) as the next version of a model')
    .option('--source <source>', 'runs/<runId>/artifacts/<path> instead of a local file')
    .option('--run <id>', 'the run that produced it')
    .option('--dataset <ref>', 'a training dataset version, e.g. train@3 (repeatable)', collectList)
    .option('--validation-dataset <ref>', 'a validation dataset version (repeatable)', collectList)
    .option('--metric <name=value>', 'a metric, e.g. auc=0.91 (repeatable)', collectPairs('--metric'))
    .option('--feature <names>', 'feature names, comma-separated (repeatable)', collectList)
    .option('-d, --description <text>', 'what changed in this version')
    .option('--tag <key=value>', 'a tag (repeatable)', collectPairs('--tag'))
    .action(async (name: string, file: string | undefined, options: RegisterFlags) => {
      if ((file === undefined) === (options.source === undefined)) {
        throw new UsageError('give either a model file or --source runs/<runId>/artifacts/<path>');
      }
      const metrics: Record<string, number> = {};
      for (const [key, value] of Object.entries(options.metric ?? {})) {
        const number = value.trim() === '' ? Number.NaN : Number(value);
        if (!Number.isFinite(number))
          throw new UsageError(`--metric ${key} expects a number, got '${value}'`);
        metrics[key] = number;
      }
      const input = {
        ...(options.run === undefined ? {} : { run: options.run }),
        datasets: [
          ...(options.dataset ?? []).map((ref) => ({ ref, role: 'train' as const })),
          ...(options.validationDataset ?? []).map((ref) => ({ ref, role: 'validation' as const })),
        ],
        metrics,
        ...(options.feature === undefined ? {} : { featureNames: options.feature }),
        ...createInput(options),
      };
      const sw = await ctx.client();
      const version =
        file === undefined
          ? await sw.models.register(name, { ...input, source: options.source! })
          : await sw.models.register(name, { ...input, file: resolve(ctx.io.cwd, file) });
      ctx.emit(
        version,
        () =>
          `registered ${version.model}@${version.version} (${formatBytes(version.size)}, sha256 ${version.digest}, ${version.approval.status})`,
        () => [`${version.model}@${version.version}`],
      );
    });

  withPaging(models.command('versions <name>'))
    .description("List a model's versions, newest first")
    .action(async (name: string, options: { limit?: number; pageToken?: string }) => {
      const sw = await ctx.client();
      const page = await sw.models.versions(name, pageFlags(options));
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['VERSION', 'APPROVAL', 'ALIASES', 'SIZE', 'METRICS', 'CREATED', 'BY'],
            page.items.map((v) => [
              String(v.version),
              v.approval.status,
              v.aliases.join(',') || '-',
              formatBytes(v.size),
              shorten(formatMetrics(v.metrics), 40),
              formatTime(v.createdAt),
              v.createdBy,
            ]),
          ) + morePages(page.nextPageToken),
        () => page.items.map((v) => `${v.model}@${v.version}`),
      );
    });

  models
    .command('pull <ref>')
    .description('Download a version (name@3, name@champion) verified against its sha256')
    .option('-o, --output <file>', 'where to write it (default: <name>-<version>.onnx here)')
    .action(async (ref: string, options: { output?: string }) => {
      const sw = await ctx.client();
      let target = options.output;
      if (target === undefined) {
        const version = await sw.models.version(ref);
        target = `${version.model}-${version.version}.onnx`;
      }
      const pulled = await sw.models.pull(ref, resolve(ctx.io.cwd, target));
      ctx.emit(
        pulled,
        () =>
          `wrote ${pulled.file} (${pulled.model}@${pulled.version}, ${formatBytes(pulled.size)}, sha256 verified)`,
        () => [pulled.file],
      );
    });

  registerModelAliases(models, ctx);
  registerModelGovernance(models, ctx);
}

interface RegisterFlags extends CreateFlags {
  source?: string;
  run?: string;
  dataset?: string[];
  validationDataset?: string[];
  metric?: Record<string, string>;
  feature?: string[];
}

function formatMetrics(metrics: Readonly<Record<string, number>>): string {
  return Object.entries(metrics)
    .map(([key, value]) => `${key}=${formatNumber(value)}`)
    .join(' ');
}

function describeSpec(spec: TensorSpec): string {
  const shape =
    spec.shape === undefined
      ? ''
      : spec.shape === null
        ? ' [?]'
        : ` [${spec.shape.map((dim) => (dim === null ? '?' : String(dim))).join(', ')}]`;
  return `${spec.name}: ${spec.elementType}${shape}`;
}

function describeModel(m: ModelDetails): string {
  const aliases = Object.entries(m.aliases)
    .map(([alias, version]) => `${alias} -> ${version}`)
    .join(', ');
  return fieldBlock(`Model ${m.name}`, [
    ['lifecycle', formatLifecycle(m)],
    ['latest', `${m.latestVersion ?? '-'}`],
    ['aliases', orDash(aliases)],
    ['policy', describePolicy(m)],
    ['created', `${formatTime(m.createdAt)} by ${m.createdBy}`],
    ['description', orDash(m.description)],
    ['tags', formatTags(m.tags)],
  ]);
}

export function describeVersion(v: ModelVersion): string {
  const approval = v.approval;
  return fieldBlock(`Model version ${v.model}@${v.version}`, [
    ['aliases', orDash(v.aliases.join(', '))],
    [
      'approval',
      `${approval.status}${approval.by === undefined ? '' : ` by ${approval.by} ${formatTime(approval.at)}`}${approval.comment === undefined ? '' : `: ${approval.comment}`}`,
    ],
    ['format', `${v.format}, ${formatBytes(v.size)}, sha256 ${v.digest}`],
    ['inputs', v.signature.inputs.map(describeSpec).join('; ')],
    ['outputs', v.signature.outputs.map(describeSpec).join('; ')],
    ['features', v.featureNames === undefined ? '-' : v.featureNames.join(', ')],
    ['metrics', orDash(formatMetrics(v.metrics))],
    ['run', v.run ?? '-'],
    ['datasets', orDash(v.datasets.map((d) => `${d.dataset}@${d.version} (${d.role})`).join(', '))],
    ['created', `${formatTime(v.createdAt)} by ${v.createdBy}`],
    ['description', orDash(v.description)],
  ]);
}

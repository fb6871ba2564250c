/**
 * Flags and commands that experiments, models and datasets share, kept in one place so the three
 * spell them (and turn them into SDK input) the same way: lifecycle filters on list, description and
 * tag flags on create and update, soft-delete and restore.
 */
import type { Command } from 'commander';
import type { Slipway } from '../client/slipway.js';
import {
  type CliContext,
  collectList,
  collectPairs,
  type PageFlags,
  pageFlags,
  withPaging,
} from './context.js';

export interface LifecycleFlags extends PageFlags {
  readonly deleted?: boolean;
  readonly all?: boolean;
  readonly nameContains?: string;
}

/** Adds paging, --deleted, --all and --name-contains to a listing of `plural` (e.g. 'models'). */
export function withLifecycleFilters(command: Command, plural: string): Command {
  return withPaging(command)
    .option('--deleted', `only deleted ${plural}`)
    .option('--all', `active and deleted ${plural}`)
    .option('--name-contains <text>', 'only names containing this text');
}

/** The list request those flags ask for. */
export function lifecycleQuery(options: LifecycleFlags): PageFlags & {
  readonly lifecycle: 'active' | 'deleted' | 'all';
  readonly nameContains?: string;
} {
  return {
    lifecycle: options.all ? 'all' : options.deleted ? 'deleted' : 'active',
    ...(options.nameContains === undefined ? {} : { nameContains: options.nameContains }),
    ...pageFlags(options),
  };
}

export interface CreateFlags {
  readonly description?: string;
  readonly tag?: Record<string, string>;
}

/** Adds -d/--description (`purpose` is its help) and a repeatable --tag to a create command. */
export function withCreateFlags(command: Command, purpose: string): Command {
  return command
    .option('-d, --description <text>', purpose)
    .option('--tag <key=value>', 'a tag (repeatable)', collectPairs('--tag'));
}

/** The description and tags given, as SDK input. */
export function createInput(options: CreateFlags): {
  readonly description?: string;
  readonly tags?: Record<string, string>;
} {
  return {
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.tag === undefined ? {} : { tags: options.tag }),
  };
}

export interface UpdateFlags {
  readonly description?: string;
  readonly tag?: Record<string, string>;
  readonly untag?: string[];
}

/** Adds -d/--description, --tag and --untag to an update command. */
export function withUpdateFlags(command: Command): Command {
  return command
    .option('-d, --description <text>', 'new description')
    .option('--tag <key=value>', 'set a tag (repeatable)', collectPairs('--tag'))
    .option('--untag <key>', 'remove a tag (repeatable, or comma-separated)', collectList);
}

/** The changes asked for: --tag sets, --untag removes (sent as null, which the server merges). */
export function updateInput(options: UpdateFlags): {
  readonly description?: string;
  readonly tags?: Record<string, string | null>;
} {
  const tags: Record<string, string | null> = { ...options.tag };
  for (const key of options.untag ?? []) tags[key] = null;
  return {
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(Object.keys(tags).length === 0 ? {} : { tags }),
  };
}

export interface SoftDeleteSpec<T extends { readonly name: string }> {
  /** The thing as messages name it: 'experiment'. */
  readonly noun: string;
  /** With its article, for the help text: 'an experiment'. */
  readonly aNoun: string;
  /** The argument as the help shows it: '<idOrName>'. */
  readonly argument: string;
  /** What --quiet prints and the restore hint names. */
  readonly key: (entity: T) => string;
  readonly delete: (sw: Slipway, ref: string) => Promise<T>;
  readonly restore: (sw: Slipway, ref: string) => Promise<T>;
}

/** Adds `delete` (a soft delete) and `restore` under `group` (e.g. `slipway models`). */
export function registerSoftDelete<T extends { readonly name: string }>(
  group: Command,
  ctx: CliContext,
  spec: SoftDeleteSpec<T>,
): void {
  group
    .command(`delete ${spec.argument}`)
    .description(`Soft-delete ${spec.aNoun} (admin); restore brings it back`)
    .action(async (ref: string) => {
      const entity = await spec.delete(await ctx.client(), ref);
      ctx.emit(
        entity,
        () =>
          `deleted ${spec.noun} '${entity.name}' (restore with: slipway ${group.name()} restore ${spec.key(entity)})`,
        () => [spec.key(entity)],
      );
    });

  group
    .command(`restore ${spec.argument}`)
    .description(`Restore a deleted ${spec.noun} (admin)`)
    .action(async (ref: string) => {
      const entity = await spec.restore(await ctx.client(), ref);
      ctx.emit(
        entity,
        () => `restored ${spec.noun} '${entity.name}'`,
        () => [spec.key(entity)],
      );
    });
}

/** slipway models [approve|reject|policy|card]: approvals, alias policy and model cards. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CardFields, Model, ModelVersion } from '../../registry/index.js';
import { type CliContext, collectList, UsageError } from '../context.js';

export function registerModelGovernance(models: Command, ctx: CliContext): void {
  const decision = (verb: 'approve' | 'reject') => async (ref: string, options: { comment?: string }) => {
    const sw = await ctx.client();
    const version: ModelVersion =
      verb === 'approve'
        ? await sw.models.approve(ref, options.comment)
        : await sw.models.reject(ref, options.comment);
    ctx.emit(
      version,
      () => `${version.model}@${version.version} is ${version.approval.status}`,
      () => [`${version.model}@${version.version}`],
    );
  };

  models
    .command('approve <ref>')
    .description('Approve a version, e.g. churn@3 (approver or admin)')
    .option('-m, --comment <text>', 'why')
    .action(decision('approve'));

  models
    .command('reject <ref>')
    .description('Reject a version (approver or admin)')
    .option('-m, --comment <text>', 'why')
    .action(decision('reject'));

  models
    .command('policy <name>')
    .description("Show or set a model's policy (setting needs admin)")
    .option(
      '--require-approval-for <aliases>',
      'aliases that need approved versions (comma-separated, repeatable)',
      collectList,
    )
    .option('--clear', 'protect no alias')
    .action(async (name: string, options: { requireApprovalFor?: string[]; clear?: boolean }) => {
      const sw = await ctx.client();
      const model =
        options.requireApprovalFor === undefined && options.clear !== true
          ? await sw.models.get(name)
          : await sw.models.setPolicy(name, {
              requireApprovalFor: options.clear === true ? [] : (options.requireApprovalFor ?? []),
            });
      ctx.emit(
        model.policy,
        () => `${model.name}: ${describePolicy(model)}`,
        () => model.policy.requireApprovalFor,
      );
    });

  models
    .command('card <ref>')
    .description("Print a version's model card as markdown, or edit its hand-written part")
    .option('--set-file <file>', 'replace the hand-written part with this JSON file')
    .option('-d, --description <text>', 'set the description')
    .option('--intended-use <text>', 'set the intended use')
    .option('--limitations <text>', 'set the limitations')
    .option('--ethical-considerations <text>', 'set the ethical considerations')
    .option('--markdown-file <file>', 'set the free-form notes from a markdown file')
    .action(async (ref: string, options: CardFlags) => {
      const sw = await ctx.client();
      const edits = await cardEdits(ctx, options);
      if (edits !== undefined) {
        const current = await sw.models.card(ref);
        const fields: CardFields =
          options.setFile === undefined ? { ...handWritten(current), ...edits } : edits;
        await sw.models.setCard(ref, fields);
        ctx.note(`updated the card of ${ref}`);
      }
      if (ctx.json) {
        ctx.emit(await sw.models.card(ref), () => '');
        return;
      }
      ctx.print(await sw.models.cardMarkdown(ref));
    });
}

interface CardFlags {
  setFile?: string;
  description?: string;
  intendedUse?: string;
  limitations?: string;
  ethicalConsiderations?: string;
  markdownFile?: string;
}

async function cardEdits(ctx: CliContext, options: CardFlags): Promise<CardFields | undefined> {
  let base: CardFields | undefined;
  if (options.setFile !== undefined) {
    const text = await readFile(resolve(ctx.io.cwd, options.setFile), 'utf8');
    try {
      base = JSON.parse(text) as CardFields;
    } catch (error) {
      throw new UsageError(`--set-file ${options.setFile} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof base !== 'object' || base === null || Array.isArray(base)) {
      throw new UsageError(`--set-file ${options.setFile} must hold a JSON object`);
    }
  }
  const flags: Record<string, string> = {};
  if (options.description !== undefined) flags.description = options.description;
  if (options.intendedUse !== undefined) flags.intendedUse = options.intendedUse;
  if (options.limitations !== undefined) flags.limitations = options.limitations;
  if (options.ethicalConsiderations !== undefined)
    flags.ethicalConsiderations = options.ethicalConsiderations;
  if (options.markdownFile !== undefined) {
    flags.markdown = await readFile(resolve(ctx.io.cwd, options.markdownFile), 'utf8');
  }
  if (base === undefined && Object.keys(flags).length === 0) return undefined;
  return { ...base, ...flags };
}

function handWritten(card: CardFields & { evaluation?: CardFields['evaluation'] }): CardFields {
  const fields: Record<string, unknown> = {};
  for (const key of [
    'description',
    'intendedUse',
    'limitations',
    'ethicalConsiderations',
    'markdown',
  ] as const) {
    if (card[key] !== undefined && card[key] !== '') fields[key] = card[key];
  }
  if (card.evaluation !== undefined && card.evaluation.length > 0) fields.evaluation = card.evaluation;
  return fields as CardFields;
}

export function describePolicy(m: Model): string {
  const protectedAliases = m.policy.requireApprovalFor;
  return protectedAliases.length === 0 ? 'none' : `approval required for ${protectedAliases.join(', ')}`;
}

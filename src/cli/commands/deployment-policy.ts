/**
 * `slipway deployments policy set|show|delete|evaluate <deployment>` and `slipway deployments
 * decisions <deployment>`: a deployment's champion/challenger policy and the decisions it made.
 */
import type { Command } from 'commander';
import type { DeploymentPolicy, PolicyDecision, PolicyInput } from '../../client/index.js';
import { type CliContext, morePages, pageFlags, parseInteger, UsageError, withPaging } from '../context.js';
import { fieldBlock, formatNumber, formatTime, shorten } from '../format.js';

interface SetFlags {
  readonly metric?: string;
  readonly minSamples?: number;
  readonly alpha?: number;
  readonly minEffect?: number;
  readonly maxErrorRate?: number;
  readonly maxP99Ms?: number;
  readonly onBetter?: string;
  readonly onWorse?: string;
  readonly every?: string;
}

function parseNumber(flag: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number))
      throw new UsageError(`${flag} expects a number, got '${value}'`);
    return number;
  };
}

/** Adds `policy …` and `decisions` to the `deployments` command. */
export function registerDeploymentPolicy(deployments: Command, ctx: CliContext): void {
  const policy = deployments
    .command('policy')
    .description('Champion/challenger policy of a deployment: promote, roll back or notify on live labels');
  policy
    .command('set <deployment>')
    .description('Create or replace the policy (unset flags take their defaults)')
    .option('--metric <name>', 'accuracy, f1, precision, recall, auc, logLoss, rmse, mae or r2')
    .option(
      '--min-samples <n>',
      'labelled rows each version needs first (1000)',
      parseInteger('--min-samples'),
    )
    .option('--alpha <p>', 'significance level (0.05)', parseNumber('--alpha'))
    .option(
      '--min-effect <x>',
      'improvement the challenger must show to be promoted (0)',
      parseNumber('--min-effect'),
    )
    .option(
      '--max-error-rate <r>',
      'guardrail: share of failed challenger requests',
      parseNumber('--max-error-rate'),
    )
    .option('--max-p99-ms <ms>', 'guardrail: p99 latency of the challenger', parseNumber('--max-p99-ms'))
    .option('--on-better <action>', 'promote or notify (promote)')
    .option('--on-worse <action>', 'rollback or notify (rollback)')
    .option('--every <duration>', 'periodic evaluation, e.g. 30s, 1m, 1h (1m)')
    .action(async (deployment: string, flags: SetFlags) => {
      const guardrails = {
        ...(flags.maxErrorRate === undefined ? {} : { maxErrorRate: flags.maxErrorRate }),
        ...(flags.maxP99Ms === undefined ? {} : { maxP99Ms: flags.maxP99Ms }),
      };
      const input: PolicyInput = {
        ...(flags.metric === undefined ? {} : { metric: flags.metric }),
        ...(flags.minSamples === undefined ? {} : { minSamples: flags.minSamples }),
        ...(flags.alpha === undefined ? {} : { alpha: flags.alpha }),
        ...(flags.minEffect === undefined ? {} : { minEffect: flags.minEffect }),
        ...(Object.keys(guardrails).length === 0 ? {} : { guardrails }),
        ...(flags.onBetter === undefined ? {} : { onBetter: flags.onBetter }),
        ...(flags.onWorse === undefined ? {} : { onWorse: flags.onWorse }),
        ...(flags.every === undefined ? {} : { evaluateEvery: flags.every }),
      };
      const set = await (await ctx.client()).deployments.policy.set(deployment, input);
      ctx.emit(
        set,
        () => describePolicy(set),
        () => [set.deployment],
      );
    });
  policy
    .command('show <deployment>')
    .description('The policy and its next periodic evaluation')
    .action(async (deployment: string) => {
      const found = await (await ctx.client()).deployments.policy.get(deployment);
      ctx.emit(
        found,
        () => describePolicy(found),
        () => [found.deployment],
      );
    });
  policy
    .command('delete <deployment>')
    .description('Delete the policy (its decisions are kept)')
    .action(async (deployment: string) => {
      const deleted = await (await ctx.client()).deployments.policy.delete(deployment);
      ctx.emit(
        deleted,
        () => `deleted the policy of deployment ${deleted.deployment}`,
        () => [deleted.deployment],
      );
    });
  policy
    .command('evaluate <deployment>')
    .description('Evaluate now, act as the policy says, and print the decision')
    .action(async (deployment: string) => {
      const decision = await (await ctx.client()).deployments.policy.evaluate(deployment);
      ctx.emit(
        decision,
        () => describeDecision(decision),
        () => [decision.id],
      );
    });

  withPaging(deployments.command('decisions <deployment>'))
    .description('Decisions of the deployment’s policy, newest first, with their evidence')
    .action(async (deployment: string, options: { limit?: number; pageToken?: string }) => {
      const page = await (await ctx.client()).deployments.decisions(deployment, pageFlags(options));
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['AT', 'OUTCOME', 'CHAMPION', 'CHALLENGER', 'METRIC VALUES', 'SAMPLES', 'P-VALUE', 'REASON'],
            page.items.map((d) => decisionCells(d)),
          ) + morePages(page.nextPageToken),
        () => page.items.map((d) => d.id),
      );
    });
}

const version = (v: PolicyDecision['champion']) =>
  v === null ? '-' : `${v.model}@${v.version}${v.shadow === true ? ' (shadow)' : ''}`;
const wire = (value: number | string | undefined) =>
  value === undefined ? '-' : typeof value === 'number' ? formatNumber(value) : value;

function decisionCells(d: PolicyDecision): string[] {
  const e = d.evidence;
  const values =
    e.champion?.value === undefined
      ? '-'
      : `${e.metric} ${wire(e.challenger?.value)} vs ${wire(e.champion.value)}`;
  const samples = e.champion === undefined ? '-' : `${e.challenger?.samples ?? 0}/${e.champion.samples}`;
  return [
    formatTime(d.at),
    d.outcome,
    version(d.champion),
    version(d.challenger),
    values,
    samples,
    wire(e.pValue),
    shorten(d.reason, 80),
  ];
}

export function describeDecision(d: PolicyDecision): string {
  const e = d.evidence;
  const guardrails = e.guardrails;
  return fieldBlock(`Decision ${d.id} of deployment ${d.deployment}: ${d.outcome}`, [
    ['at', `${formatTime(d.at)} (${d.cause}, by ${d.actor}, revision ${d.revision})`],
    ['reason', d.reason],
    [
      'champion',
      `${version(d.champion)}${e.champion === undefined ? '' : `: ${e.champion.samples} labelled${e.champion.value === undefined ? '' : `, ${e.metric} ${wire(e.champion.value)}`}`}`,
    ],
    [
      'challenger',
      `${version(d.challenger)}${e.challenger === undefined ? '' : `: ${e.challenger.samples} labelled${e.challenger.value === undefined ? '' : `, ${e.metric} ${wire(e.challenger.value)}`}`}`,
    ],
    ...(e.test === undefined
      ? []
      : ([
          [
            'test',
            `${e.test}: effect ${wire(e.effect)}, p-value ${wire(e.pValue)}${e.ci === undefined ? '' : `, interval [${wire(e.ci[0])}, ${wire(e.ci[1])}]`}`,
          ],
        ] as const)),
    ...(guardrails?.p99Ms === undefined
      ? []
      : ([
          [
            'p99 latency',
            `${wire(guardrails.p99Ms.value)} ms over ${guardrails.p99Ms.rows} rows (limit ${guardrails.p99Ms.limit})${guardrails.p99Ms.breached ? ' BREACHED' : ''}`,
          ],
        ] as const)),
    ...(guardrails?.errorRate === undefined
      ? []
      : ([
          [
            'error rate',
            `${wire(guardrails.errorRate.value)} (${guardrails.errorRate.errors}/${guardrails.errorRate.requests}, limit ${guardrails.errorRate.limit})${guardrails.errorRate.breached ? ' BREACHED' : ''}`,
          ],
        ] as const)),
    ...(e.applied?.alias === undefined
      ? []
      : ([
          [
            'alias',
            `${e.applied.alias.model}@${e.applied.alias.alias}: ${e.applied.alias.from ?? 'none'} -> ${e.applied.alias.to}`,
          ],
        ] as const)),
    ...(e.applied?.revision === undefined
      ? []
      : ([['revision', `wrote revision ${e.applied.revision}`]] as const)),
  ]);
}

export function describePolicy(p: DeploymentPolicy): string {
  const rails = [
    ...(p.guardrails.maxErrorRate === undefined ? [] : [`error rate ≤ ${p.guardrails.maxErrorRate}`]),
    ...(p.guardrails.maxP99Ms === undefined ? [] : [`p99 ≤ ${p.guardrails.maxP99Ms} ms`]),
  ];
  return fieldBlock(`Policy of deployment ${p.deployment}`, [
    ['metric', p.metric ?? 'accuracy (classifiers) / rmse (regressors)'],
    ['min samples', String(p.minSamples)],
    ['alpha', String(p.alpha)],
    ['min effect', String(p.minEffect)],
    ['guardrails', rails.length === 0 ? '-' : rails.join(', ')],
    ['on better', p.onBetter],
    ['on worse', p.onWorse],
    ['every', `${p.evaluateEvery} (next ${formatTime(p.nextEvaluationAt)})`],
    ['updated', `${formatTime(p.updatedAt)} by ${p.updatedBy}`],
  ]);
}

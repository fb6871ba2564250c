/**
 * `slipway deploy <name> --model churn@champion --model churn@challenger:10 …` creates a deployment
 * or changes the one that exists (a new revision); `slipway deploy rollback <name>` restores an
 * earlier revision; `slipway deployments [list] | show | status | revisions | delete` read and
 * delete them.
 */
import type { Command } from 'commander';
import type {
  Deployment,
  DeploymentRevision,
  DeploymentStatus,
  RevisionCause,
  RouteStatus,
  UpdateDeploymentInput,
} from '../../client/index.js';
import { NotFoundError } from '../../client/index.js';
import { type CliContext, morePages, pageFlags, parseInteger, UsageError, withPaging } from '../context.js';
import { fieldBlock, formatTime, orDash, table } from '../format.js';
import { registerDeploymentPolicy } from './deployment-policy.js';
import { describeLive } from './live-format.js';

interface DeployFlags {
  readonly model?: string[];
  readonly shadow?: string | false;
  readonly routingKey?: string | false;
  readonly maxBatch?: number;
  readonly maxDelayMs?: number;
  readonly description?: string;
  readonly expectedRevision?: number;
}

export function registerDeployments(program: Command, ctx: CliContext): void {
  const deploy = program
    .command('deploy')
    .description('Create a deployment, or change the one of that name (a new revision)')
    .argument('<name>', 'deployment name')
    .option(
      '-m, --model <ref[:weight]>',
      'a route: model version or alias, with its percent of traffic (one route may leave it out and take the rest); repeat for a canary',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--shadow <ref[:fraction]>',
      'mirror a fraction (default 1) of requests to this model; its answers are logged only',
    )
    .option('--no-shadow', 'remove the shadow')
    .option('--routing-key <header:NAME|input:NAME>', 'pin each caller to one route by this value')
    .option('--no-routing-key', 'remove sticky routing')
    .option(
      '--max-batch <rows>',
      'dynamic batching: rows per inference run (1 = off)',
      parseInteger('--max-batch'),
    )
    .option(
      '--max-delay-ms <ms>',
      'dynamic batching: longest a request waits for others',
      parseNumber('--max-delay-ms'),
    )
    .option('-d, --description <text>', 'what the deployment is for')
    .option(
      '--expected-revision <n>',
      'change only if the deployment is still at this revision',
      parseInteger('--expected-revision'),
    )
    .action(async (name: string, flags: DeployFlags) => {
      const sw = await ctx.client();
      const input = deployInput(flags);
      const existing = await sw.deployments.get(name).catch((error: unknown) => {
        if (error instanceof NotFoundError && error.code === 'DEPLOYMENT_NOT_FOUND') return undefined;
        throw error;
      });
      let deployment: Deployment;
      if (existing === undefined) {
        if (input.routes === undefined) throw new UsageError('a new deployment needs at least one --model');
        if (flags.expectedRevision !== undefined)
          throw new UsageError(`deployment '${name}' does not exist, so --expected-revision cannot hold`);
        const { expectedRevision: _, ...create } = input;
        deployment = await sw.deployments.create(name, { ...create, routes: input.routes });
      } else {
        deployment = await sw.deployments.update(name, input);
      }
      ctx.emit(
        deployment,
        () => describeDeployment(deployment),
        () => [deployment.name],
      );
    });
  deploy
    .command('rollback <name>')
    .description(
      'Serve again what an earlier revision served (default: the one before the current), as a new revision',
    )
    .option('--to-revision <n>', 'the revision to restore', parseInteger('--to-revision'))
    .option(
      '--expected-revision <n>',
      'only if the deployment is still at this revision',
      parseInteger('--expected-revision'),
    )
    .action(async (name: string, flags: { toRevision?: number; expectedRevision?: number }) => {
      const deployment = await (await ctx.client()).deployments.rollback(name, flags);
      ctx.emit(
        deployment,
        () => describeDeployment(deployment),
        () => [deployment.name],
      );
    });

  const deployments = program.command('deployments').description('Deployments and their revisions');
  deployments
    .command('list', { isDefault: true })
    .description('Every deployment, by name')
    .action(async () => {
      const items = await (await ctx.client()).deployments.list();
      ctx.emit(
        { items },
        () =>
          ctx.table(
            ['NAME', 'REVISION', 'ROUTES', 'SHADOW', 'UPDATED'],
            items.map((d) => [
              d.name,
              String(d.revision),
              d.routes.map((r) => `${r.weight}% ${r.model}@${r.version}`).join(', '),
              d.shadow === null ? '-' : `${d.shadow.model}@${d.shadow.version}`,
              formatTime(d.updatedAt),
            ]),
          ),
        () => items.map((d) => d.name),
      );
    });
  deployments
    .command('show <name>')
    .description('A deployment: routes and the versions behind them, shadow, routing key, batching')
    .action(async (name: string) => {
      const deployment = await (await ctx.client()).deployments.get(name);
      ctx.emit(
        deployment,
        () => describeDeployment(deployment),
        () => [deployment.name],
      );
    });
  deployments
    .command('status <name>')
    .description('Routes and weights with live request rate, errors and p50/p99 latency per route')
    .option('--window <seconds>', 'seconds of live figures, 10-350', parseInteger('--window'), 300)
    .option(
      '--since <time>',
      'live performance over labelled predictions since this ISO time or epoch ms (default: the window)',
    )
    .action(async (name: string, options: { window: number; since?: string }) => {
      const status = await (await ctx.client()).deployments.status(
        name,
        options.window,
        options.since === undefined ? {} : { since: options.since },
      );
      ctx.emit(
        status,
        () => describeStatus(status),
        () => [status.deployment],
      );
    });
  deployments
    .command('delete <name>')
    .description('Delete a deployment and its revisions (admin); servers stop serving it')
    .option(
      '--expected-revision <n>',
      'only if the deployment is still at this revision',
      parseInteger('--expected-revision'),
    )
    .action(async (name: string, flags: { expectedRevision?: number }) => {
      const deployment = await (await ctx.client()).deployments.delete(name, flags);
      ctx.emit(
        deployment,
        () => `deleted deployment ${deployment.name} (it was at revision ${deployment.revision})`,
        () => [deployment.name],
      );
    });
  withPaging(deployments.command('revisions <name>'))
    .description('Revisions of a deployment, newest first: what served, who changed it and why')
    .action(async (name: string, options: { limit?: number; pageToken?: string }) => {
      const page = await (await ctx.client()).deployments.revisions(name, pageFlags(options));
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['REVISION', 'AT', 'BY', 'CAUSE', 'ROUTES'],
            page.items.map((r) => [
              String(r.revision),
              formatTime(r.at),
              r.actor,
              describeCause(r.cause),
              describeRoutes(r),
            ]),
          ) + morePages(page.nextPageToken),
        () => page.items.map((r) => String(r.revision)),
      );
    });
  registerDeploymentPolicy(deployments, ctx);
}

function deployInput(flags: DeployFlags): UpdateDeploymentInput {
  const routes = flags.model?.map((text) => {
    const [model, weight] = splitSuffix(text);
    if (weight !== undefined && !/^\d+$/.test(weight))
      throw new UsageError(`--model expects ref[:weight] with a whole-number weight, got '${text}'`);
    return weight === undefined ? { model } : { model, weight: Number(weight) };
  });
  let shadow: UpdateDeploymentInput['shadow'];
  if (flags.shadow === false) shadow = null;
  else if (flags.shadow !== undefined) {
    const [model, fraction] = splitSuffix(flags.shadow);
    if (fraction !== undefined && !Number.isFinite(Number(fraction)))
      throw new UsageError(`--shadow expects ref[:fraction], got '${flags.shadow}'`);
    shadow = fraction === undefined ? { model } : { model, fraction: Number(fraction) };
  }
  const batching =
    flags.maxBatch === undefined && flags.maxDelayMs === undefined
      ? undefined
      : {
          ...(flags.maxBatch === undefined ? {} : { maxBatch: flags.maxBatch }),
          ...(flags.maxDelayMs === undefined ? {} : { maxDelayMs: flags.maxDelayMs }),
        };
  return {
    ...(routes === undefined ? {} : { routes }),
    ...(shadow === undefined ? {} : { shadow }),
    ...(flags.routingKey === undefined
      ? {}
      : { routingKey: flags.routingKey === false ? null : flags.routingKey }),
    ...(batching === undefined ? {} : { batching }),
    ...(flags.description === undefined ? {} : { description: flags.description }),
    ...(flags.expectedRevision === undefined ? {} : { expectedRevision: flags.expectedRevision }),
  };
}

/** `churn@champion:10` -> ['churn@champion', '10']; a reference itself has no ':'. */
function splitSuffix(text: string): [string, string | undefined] {
  const colon = text.lastIndexOf(':');
  return colon < 0 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)];
}

function parseNumber(flag: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number))
      throw new UsageError(`${flag} expects a number, got '${value}'`);
    return number;
  };
}

export function describeDeployment(d: Deployment): string {
  const routes = d.routes.map(
    (r) =>
      `${String(r.weight).padStart(3)}%  ${r.reference}${r.reference === `${r.model}@${r.version}` ? '' : ` -> ${r.model}@${r.version}`}`,
  );
  return fieldBlock(`Deployment ${d.name} (revision ${d.revision})`, [
    ['routes', routes[0] ?? '-'],
    ...routes.slice(1).map((line) => ['', line] as const),
    [
      'shadow',
      d.shadow === null
        ? '-'
        : `${Math.round(d.shadow.fraction * 100)}% copied to ${d.shadow.reference}${d.shadow.reference === `${d.shadow.model}@${d.shadow.version}` ? '' : ` -> ${d.shadow.model}@${d.shadow.version}`}`,
    ],
    ['routing key', d.routingKey ?? '-'],
    [
      'batching',
      d.batching.maxBatch <= 1
        ? 'off'
        : `up to ${d.batching.maxBatch} rows, waits up to ${d.batching.maxDelayMs} ms`,
    ],
    ['description', orDash(d.description)],
    ['updated', `${formatTime(d.updatedAt)} by ${d.updatedBy}`],
    ['created', `${formatTime(d.createdAt)} by ${d.createdBy}`],
  ]);
}

function describeStatus(status: DeploymentStatus): string {
  const serving =
    status.servingRevision === status.revision
      ? ''
      : status.servingRevision === null
        ? ' (not serving yet)'
        : ` (still serving revision ${status.servingRevision} while it loads)`;
  const ms = (value: number | null) =>
    value === null ? '-' : `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  const line = (route: RouteStatus, share: string): string[] => [
    route.reference,
    `${route.model}@${route.version}`,
    share,
    route.requestsPerSecond.toFixed(1),
    String(route.requests),
    route.requests === 0 ? '-' : `${((100 * route.errors) / route.requests).toFixed(2)}%`,
    String(route.invalid),
    ms(route.p50Ms),
    ms(route.p99Ms),
  ];
  const rows = status.routes.map((route) => line(route, `${route.weight}%`));
  if (status.shadow !== null)
    rows.push(
      line(
        { ...status.shadow, reference: `shadow ${status.shadow.reference}` },
        `${Math.round(status.shadow.fraction * 100)}% copy`,
      ),
    );
  const lines = [
    `Deployment ${status.deployment}, revision ${status.revision}${serving}; the last ${status.windowSeconds} s on this server`,
    table(['ROUTE', 'VERSION', 'WEIGHT', 'REQ/S', 'REQUESTS', 'ERRORS', 'INVALID', 'P50', 'P99'], rows),
  ];
  if (status.shadow !== null)
    lines.push(`shadow answers that differed from the primary: ${status.shadow.disagreements}`);
  lines.push(...describeLive(status));
  if (status.loadError !== undefined)
    lines.push(`revision ${status.revision} failed to load: ${status.loadError}`);
  return lines.join('\n');
}

function describeCause(cause: RevisionCause): string {
  switch (cause.kind) {
    case 'create':
      return 'created';
    case 'update':
      return `changed ${cause.changed.join(', ')}`;
    case 'rollback':
      return `rollback to ${cause.toRevision}`;
    case 'alias':
      return `${cause.alias} moved ${cause.fromVersion} -> ${cause.toVersion}`;
  }
}

function describeRoutes(r: DeploymentRevision): string {
  const routes = r.routes.map((route) => `${route.weight}% ${route.model}@${route.version}`).join(', ');
  return r.shadow === null ? routes : `${routes}; shadow ${r.shadow.model}@${r.shadow.version}`;
}

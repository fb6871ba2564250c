/**
 * Turns what a user writes into a DeploymentSpec, naming the field of anything wrong: routes whose
 * weights sum to 100 (one route may leave its weight out and take the rest), distinct model
 * references, a shadow fraction in (0, 1], a routing key `header:<name>` or `input:<name>`, and
 * batching limits.
 */
import { InvalidError } from '../../core/errors.js';
import { formatReference, type Reference } from '../../core/references.js';
import { parseModelReference } from '../../registry/index.js';
import type { BatchingSpec, DeploymentSpec, RouteSpec, RoutingKey, ShadowSpec } from './entities.js';

export const MAX_ROUTES = 10;
export const MAX_BATCH_LIMIT = 4096;
export const MAX_DELAY_LIMIT_MS = 1000;
export const DEFAULT_BATCHING: BatchingSpec = { maxBatch: 1, maxDelayMs: 0 };

export interface RouteInput {
  readonly model: string;
  readonly weight?: number | undefined;
}

export interface ShadowInput {
  readonly model: string;
  readonly fraction?: number | undefined;
}

export interface BatchingInput {
  readonly maxBatch?: number | undefined;
  readonly maxDelayMs?: number | undefined;
}

/** Everything a deployment's spec can say; on update, what is absent stays as it was. */
export interface DeploymentSpecInput {
  readonly routes?: readonly RouteInput[] | undefined;
  readonly shadow?: ShadowInput | null | undefined;
  /** `header:x-user-id` or `input:customer_id`; null removes it. */
  readonly routingKey?: string | null | undefined;
  readonly batching?: BatchingInput | undefined;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const INPUT_NAME = /^[^\s:][^:]{0,255}$/;

/** The spec that results from applying `input` to `base` (a new deployment has no base). */
export function buildSpec(input: DeploymentSpecInput, base: DeploymentSpec | null): DeploymentSpec {
  const routes = input.routes === undefined ? base?.routes : parseRoutes(input.routes);
  if (routes === undefined)
    throw new InvalidError('routes are required: at least one model', { field: 'routes' });
  const shadow = input.shadow === undefined ? (base?.shadow ?? null) : parseShadow(input.shadow);
  const routingKey =
    input.routingKey === undefined ? (base?.routingKey ?? null) : parseRoutingKey(input.routingKey);
  const batching = parseBatching(input.batching ?? {}, base?.batching ?? DEFAULT_BATCHING);
  return { routes, shadow, routingKey, batching };
}

/** A model reference as stored: `name@version` or `name@alias` (a bare name means `@latest`). */
export function normaliseModelReference(field: string, raw: unknown): Reference {
  if (typeof raw !== 'string')
    throw new InvalidError(`${field} must be a model reference such as churn@champion`, { field });
  return parseModelReference(raw, field);
}

export function referenceText(reference: Reference): string {
  return reference.version === undefined
    ? `${reference.name}@${reference.alias}`
    : formatReference(reference.name, reference.version);
}

function parseRoutes(input: readonly RouteInput[]): RouteSpec[] {
  if (!Array.isArray(input) || input.length === 0)
    throw new InvalidError('routes must name at least one model', { field: 'routes' });
  if (input.length > MAX_ROUTES)
    throw new InvalidError(`routes may have at most ${MAX_ROUTES} entries, got ${input.length}`, {
      field: 'routes',
    });
  const seen = new Set<string>();
  let open = -1;
  let sum = 0;
  const routes = input.map((route, i) => {
    const field = `routes[${i}]`;
    const model = referenceText(normaliseModelReference(`${field}.model`, route.model));
    if (seen.has(model))
      throw new InvalidError(`${field}.model: ${model} is routed to twice; give it one route`, {
        field: `${field}.model`,
        value: model,
      });
    seen.add(model);
    if (route.weight === undefined) {
      if (open >= 0)
        throw new InvalidError(
          `${field}.weight is required: only one route may leave its weight out (it takes what the others leave of 100)`,
          { field: `${field}.weight` },
        );
      open = i;
      return { model, weight: 0 };
    }
    const weight = route.weight;
    if (!Number.isInteger(weight) || weight < 0 || weight > 100)
      throw new InvalidError(`${field}.weight must be a whole percentage from 0 to 100, got ${weight}`, {
        field: `${field}.weight`,
        value: weight,
      });
    sum += weight;
    return { model, weight };
  });
  if (open >= 0) {
    if (sum > 100)
      throw new InvalidError(`routes' weights add up to ${sum}, leaving nothing for ${routes[open]!.model}`, {
        field: 'routes',
      });
    routes[open] = { model: routes[open]!.model, weight: 100 - sum };
    sum = 100;
  }
  if (sum !== 100) {
    const parts = routes.map((route) => `${route.model} ${route.weight}`).join(', ');
    throw new InvalidError(`routes' weights must sum to 100, got ${sum} (${parts})`, { field: 'routes' });
  }
  return routes;
}

function parseShadow(input: ShadowInput | null): ShadowSpec | null {
  if (input === null) return null;
  const model = referenceText(normaliseModelReference('shadow.model', input.model));
  const fraction = input.fraction ?? 1;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1))
    throw new InvalidError(`shadow.fraction must be in (0, 1], got ${fraction}`, {
      field: 'shadow.fraction',
      value: fraction,
    });
  return { model, fraction };
}

export function parseRoutingKey(raw: string | null): RoutingKey | null {
  if (raw === null) return null;
  const colon = raw.indexOf(':');
  const source = raw.slice(0, colon).trim().toLowerCase();
  const name = raw.slice(colon + 1).trim();
  if (colon > 0 && source === 'header' && HEADER_NAME.test(name.toLowerCase()))
    return { source, name: name.toLowerCase() };
  if (colon > 0 && source === 'input' && INPUT_NAME.test(name)) return { source, name };
  throw new InvalidError(
    `routingKey must be 'header:<header name>' or 'input:<feature or input name>', got '${raw}'`,
    { field: 'routingKey', value: raw },
  );
}

function parseBatching(input: BatchingInput, base: BatchingSpec): BatchingSpec {
  const maxBatch = input.maxBatch ?? base.maxBatch;
  const maxDelayMs = input.maxDelayMs ?? base.maxDelayMs;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH_LIMIT)
    throw new InvalidError(
      `batching.maxBatch must be a whole number from 1 to ${MAX_BATCH_LIMIT}, got ${maxBatch}`,
      {
        field: 'batching.maxBatch',
        value: maxBatch,
      },
    );
  if (typeof maxDelayMs !== 'number' || !(maxDelayMs >= 0 && maxDelayMs <= MAX_DELAY_LIMIT_MS))
    throw new InvalidError(`batching.maxDelayMs must be from 0 to ${MAX_DELAY_LIMIT_MS}, got ${maxDelayMs}`, {
      field: 'batching.maxDelayMs',
      value: maxDelayMs,
    });
  return { maxBatch, maxDelayMs };
}

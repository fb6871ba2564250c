/**
 * Lineage nodes are addressed by keys: `dataset:orders@7`, `model:churn@3`, `run:<id>` (and, as
 * those capabilities arrive, `pipeline-run:<id>`, `deployment:<name>`). Keys are stable because
 * dataset and model names never change and versions are immutable.
 */
import { InvalidError } from '../core/errors.js';
import { parseReference } from '../core/references.js';

export const NODE_KINDS = ['dataset', 'model', 'run', 'pipeline-run', 'deployment'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** How one node relates to the next: the edge's source is upstream of its target. */
export type Relation = 'input' | 'produced' | 'derived' | 'trained_on' | 'validated_on' | 'serves';

export interface EdgeInput {
  readonly source: string;
  readonly target: string;
  readonly relation: Relation;
}

export function datasetNode(name: string, version: number): string {
  return `dataset:${name}@${version}`;
}

export function modelNode(name: string, version: number): string {
  return `model:${name}@${version}`;
}

export function runNode(runId: string): string {
  return `run:${runId}`;
}

export function deploymentNode(name: string): string {
  return `deployment:${name}`;
}

export interface ParsedNode {
  readonly kind: NodeKind;
  /** For datasets and models: the name, and a version or alias to resolve. Otherwise the id. */
  readonly name: string;
  readonly version?: number;
  readonly alias?: string;
}

/** Parses a node as a user writes it; `model:churn@champion` is accepted and resolved by the caller. */
export function parseNode(field: string, raw: string): ParsedNode {
  const colon = raw.indexOf(':');
  const kind = raw.slice(0, colon) as NodeKind;
  if (colon < 0 || !NODE_KINDS.includes(kind)) {
    throw new InvalidError(
      `${field} must be '<kind>:<name>' with kind one of ${NODE_KINDS.join(', ')} (e.g. model:churn@3), got '${raw}'`,
      { field, value: raw },
    );
  }
  const rest = raw.slice(colon + 1);
  if (kind === 'dataset' || kind === 'model') {
    const ref = parseReference(field, rest);
    return ref.version === undefined
      ? { kind, name: ref.name, alias: ref.alias }
      : { kind, name: ref.name, version: ref.version };
  }
  if (rest.trim() === '')
    throw new InvalidError(`${field} names no ${kind}, got '${raw}'`, { field, value: raw });
  return { kind, name: rest.trim() };
}

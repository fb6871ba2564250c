/**
 * Walks the lineage graph from one node, upstream (where it came from), downstream (what depends on
 * it) or both, one query per level, and describes every node reached so that one call answers
 * "which data trained the champion" and "which models are affected if orders@7 was bad".
 */
import { toIso } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import type { Reference } from '../core/references.js';
import type { Database, Executor } from '../store/index.js';
import { describeNodes } from './node-details.js';
import { datasetNode, modelNode, type NodeKind, type ParsedNode, parseNode, runNode } from './node-keys.js';

export const LINEAGE_DIRECTIONS = ['upstream', 'downstream', 'both'] as const;
export type LineageDirection = (typeof LINEAGE_DIRECTIONS)[number];

export const DEFAULT_LINEAGE_DEPTH = 10;
export const MAX_LINEAGE_DEPTH = 50;
/** A walk stops adding nodes past this many and says it was truncated. */
export const MAX_LINEAGE_NODES = 5000;

export interface LineageNode {
  /** The node key, e.g. 'model:churn@3'. */
  readonly id: string;
  readonly kind: NodeKind;
  /** Dataset or model name, run id, … */
  readonly name: string;
  readonly version?: number;
  /** False when the node is named by an edge but no longer found (e.g. a purged run). */
  readonly exists: boolean;
  /** A few facts to show beside the node: status, aliases, row count, run name. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface LineageEdge {
  readonly source: string;
  readonly target: string;
  readonly relation: string;
  readonly createdAt: string;
}

export interface LineageGraph {
  /** The resolved start node (an alias or `latest` resolved to its version). */
  readonly root: string;
  readonly direction: LineageDirection;
  readonly depth: number;
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
  readonly truncated: boolean;
}

export interface LineageQueryInput {
  readonly node: string;
  readonly direction?: LineageDirection;
  readonly depth?: number;
}

/** How the domains that own nodes resolve a reference to the version it names now (NotFoundError if none). */
export interface NodeResolvers {
  model(reference: Reference): Promise<number>;
  dataset(reference: Reference): Promise<number>;
  run(id: string): Promise<void>;
}

export class LineageQuery {
  constructor(
    private readonly database: Database,
    private readonly resolvers: NodeResolvers,
  ) {}

  async walk(input: LineageQueryInput): Promise<LineageGraph> {
    const db = this.database.db;
    const direction = input.direction ?? 'both';
    const depth = input.depth ?? DEFAULT_LINEAGE_DEPTH;
    const root = await resolveRoot(db, this.resolvers, parseNode('node', input.node), input.node);
    const seen = new Set<string>([root]);
    const edges = new Map<string, LineageEdge>();
    let truncated = false;
    for (const way of direction === 'both' ? (['upstream', 'downstream'] as const) : [direction]) {
      let frontier = [root];
      for (let level = 0; level < depth && frontier.length > 0 && !truncated; level++) {
        const rows = await db
          .selectFrom('lineage_edges')
          .selectAll()
          .where(way === 'upstream' ? 'target' : 'source', 'in', frontier)
          .execute();
        // Edges recorded in one transaction share created_at: the keys break ties, in JS so that
        // every backend (and a restored copy, whose rows lie in another order) answers alike.
        rows.sort(
          (a, b) =>
            Number(a.created_at) - Number(b.created_at) ||
            compare(a.source, b.source) ||
            compare(a.target, b.target) ||
            compare(a.relation, b.relation),
        );
        const next: string[] = [];
        for (const row of rows) {
          const neighbour = way === 'upstream' ? row.source : row.target;
          if (!seen.has(neighbour)) {
            if (seen.size >= MAX_LINEAGE_NODES) {
              truncated = true;
              break;
            }
            seen.add(neighbour);
            next.push(neighbour);
          }
          edges.set(`${row.source}\n${row.target}\n${row.relation}`, {
            source: row.source,
            target: row.target,
            relation: row.relation,
            createdAt: toIso(Number(row.created_at)),
          });
        }
        frontier = next;
      }
    }
    return {
      root,
      direction,
      depth,
      nodes: await describeNodes(db, [...seen]),
      edges: [...edges.values()],
      truncated,
    };
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Resolves the start node through the domain that owns it, so an alias, `latest` and every error
 * mean here what they mean everywhere else; "not found" becomes LINEAGE_NODE_NOT_FOUND.
 */
async function resolveRoot(
  db: Executor,
  resolvers: NodeResolvers,
  node: ParsedNode,
  raw: string,
): Promise<string> {
  const reference: Reference =
    node.version === undefined
      ? { name: node.name, alias: node.alias ?? 'latest' }
      : { name: node.name, version: node.version };
  try {
    switch (node.kind) {
      case 'model':
        return modelNode(node.name, await resolvers.model(reference));
      case 'dataset':
        return datasetNode(node.name, await resolvers.dataset(reference));
      case 'run':
        await resolvers.run(node.name);
        return runNode(node.name);
      default:
        return await edgeNamedNode(db, `${node.kind}:${node.name}`);
    }
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new NotFoundError('LINEAGE_NODE_NOT_FOUND', `lineage node '${raw}': ${error.message}`, {
      node: raw,
    });
  }
}

/** Kinds whose own domains arrive later: a node exists when an edge names it. */
async function edgeNamedNode(db: Executor, key: string): Promise<string> {
  const edge = await db
    .selectFrom('lineage_edges')
    .select('source')
    .where((eb) => eb.or([eb('source', '=', key), eb('target', '=', key)]))
    .executeTakeFirst();
  if (edge === undefined) {
    throw new NotFoundError('LINEAGE_NODE_NOT_FOUND', 'no lineage is recorded for it', { node: key });
  }
  return key;
}

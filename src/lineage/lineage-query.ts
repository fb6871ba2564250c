/**
 * Walks the lineage graph from one node, upstream (where it came from), downstream (what depends on
 * it) or both, one query per level, and describes every node reached so that one call answers
 * "which data trained the champion" and "which models are affected if orders@7 was bad".
 */
import { toIso } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import type { Database, Executor } from '../store/index.js';
import { describeNodes } from './node-details.js';
import { datasetNode, modelNode, type NodeKind, type ParsedNode, parseNode } from './node-keys.js';

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

export class LineageQuery {
  constructor(private readonly database: Database) {}

  async walk(input: LineageQueryInput): Promise<LineageGraph> {
    const db = this.database.db;
    const direction = input.direction ?? 'both';
    const depth = input.depth ?? DEFAULT_LINEAGE_DEPTH;
    const root = await resolveRoot(db, parseNode('node', input.node), input.node);
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

async function resolveRoot(db: Executor, node: ParsedNode, raw: string): Promise<string> {
  const missing = (what: string) =>
    new NotFoundError('LINEAGE_NODE_NOT_FOUND', `lineage node '${raw}': ${what}`, { node: raw });
  switch (node.kind) {
    case 'model': {
      const model = await db
        .selectFrom('models')
        .select(['id', 'name'])
        .where('name', '=', node.name)
        .executeTakeFirst();
      if (model === undefined) throw missing(`model '${node.name}' does not exist`);
      let version = node.version;
      if (version === undefined) {
        const alias = await db
          .selectFrom('model_aliases')
          .select('version')
          .where('model_id', '=', model.id)
          .where('alias', '=', node.alias!)
          .executeTakeFirst();
        if (alias === undefined) throw missing(`model '${node.name}' has no alias '${node.alias}'`);
        version = Number(alias.version);
      }
      const row = await db
        .selectFrom('model_versions')
        .select('version')
        .where('model_id', '=', model.id)
        .where('version', '=', version)
        .executeTakeFirst();
      if (row === undefined) throw missing(`model '${node.name}' has no version ${version}`);
      return modelNode(model.name, version);
    }
    case 'dataset': {
      const dataset = await db
        .selectFrom('datasets')
        .select(['id', 'name'])
        .where('name', '=', node.name)
        .executeTakeFirst();
      if (dataset === undefined) throw missing(`dataset '${node.name}' does not exist`);
      if (node.version === undefined && node.alias !== 'latest') {
        throw missing(`datasets know only version numbers and 'latest', not '${node.alias}'`);
      }
      let query = db.selectFrom('dataset_versions').select('version').where('dataset_id', '=', dataset.id);
      query =
        node.version === undefined
          ? query.orderBy('version', 'desc').limit(1)
          : query.where('version', '=', node.version);
      const row = await query.executeTakeFirst();
      if (row === undefined) throw missing(`dataset '${node.name}' has no version ${node.version ?? 'yet'}`);
      return datasetNode(dataset.name, Number(row.version));
    }
    case 'run': {
      const run = await db.selectFrom('runs').select('id').where('id', '=', node.name).executeTakeFirst();
      if (run === undefined) throw missing(`run '${node.name}' does not exist`);
      return `run:${run.id}`;
    }
    default: {
      // Kinds whose own domains arrive later: a node exists when an edge names it.
      const key = `${node.kind}:${node.name}`;
      const edge = await db
        .selectFrom('lineage_edges')
        .select('source')
        .where((eb) => eb.or([eb('source', '=', key), eb('target', '=', key)]))
        .executeTakeFirst();
      if (edge === undefined) throw missing('no lineage is recorded for it');
      return key;
    }
  }
}

/** The lineage API's zod schemas: the query and the {nodes, edges} answer. */
import { z } from 'zod';
import { DEFAULT_LINEAGE_DEPTH, LINEAGE_DIRECTIONS, MAX_LINEAGE_DEPTH } from './lineage-query.js';
import { NODE_KINDS } from './node-keys.js';

export const LineageQuerySchema = z.object({
  node: z
    .string()
    .min(1)
    .describe("The start node: 'model:churn@3', 'model:churn@champion', 'dataset:orders@7', 'run:<id>'"),
  direction: z
    .enum(LINEAGE_DIRECTIONS)
    .optional()
    .describe('upstream: where it came from; downstream: what depends on it; both (default)'),
  depth: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LINEAGE_DEPTH)
    .optional()
    .describe(`How many edges to follow from the start node (default ${DEFAULT_LINEAGE_DEPTH})`),
});

export const LineageNodeSchema = z.object({
  id: z.string(),
  kind: z.enum(NODE_KINDS),
  name: z.string(),
  version: z.number().int().optional(),
  exists: z.boolean(),
  details: z.record(z.string(), z.unknown()),
});

export const LineageEdgeSchema = z.object({
  source: z.string(),
  target: z.string(),
  relation: z.string(),
  createdAt: z.string(),
});

export const LineageGraphSchema = z.object({
  root: z.string(),
  direction: z.enum(LINEAGE_DIRECTIONS),
  depth: z.number().int(),
  nodes: z.array(LineageNodeSchema).readonly(),
  edges: z.array(LineageEdgeSchema).readonly(),
  truncated: z.boolean(),
});

/** The lineage graph over datasets, runs and model versions (later pipeline runs and deployments). */
export {
  DEFAULT_LINEAGE_DEPTH,
  LINEAGE_DIRECTIONS,
  type LineageDirection,
  type LineageEdge,
  type LineageGraph,
  type LineageNode,
  LineageQuery,
  type LineageQueryInput,
  MAX_LINEAGE_DEPTH,
  MAX_LINEAGE_NODES,
  type NodeResolvers,
} from './lineage-query.js';
export { LineageRecorder } from './lineage-recorder.js';
export {
  datasetNode,
  deploymentNode,
  type EdgeInput,
  modelNode,
  NODE_KINDS,
  type NodeKind,
  type ParsedNode,
  parseNode,
  type Relation,
  runNode,
} from './node-keys.js';

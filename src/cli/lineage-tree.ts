/** Draws a lineage graph as indented trees: upstream (where it came from), then downstream. */
import type { LineageGraph, LineageNode } from '../lineage/index.js';

export function renderLineage(graph: LineageGraph): string {
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
  const sections: string[] = [];
  if (graph.direction !== 'downstream') sections.push(renderTree(graph, nodes, 'upstream'));
  if (graph.direction !== 'upstream') sections.push(renderTree(graph, nodes, 'downstream'));
  const note = graph.truncated ? '\n(truncated: the graph has more nodes than one answer holds)\n' : '';
  return sections.join('\n') + note;
}

function renderTree(
  graph: LineageGraph,
  nodes: Map<string, LineageNode>,
  way: 'upstream' | 'downstream',
): string {
  const children = new Map<string, { node: string; relation: string }[]>();
  for (const edge of graph.edges) {
    const [from, to] = way === 'upstream' ? [edge.target, edge.source] : [edge.source, edge.target];
    const list = children.get(from) ?? [];
    list.push({ node: to, relation: edge.relation });
    children.set(from, list);
  }
  const arrow = way === 'upstream' ? '←' : '→';
  const lines = [`${way}:`, `${describe(graph.root, nodes)}`];
  const shown = new Set<string>([graph.root]);
  const walk = (id: string, prefix: string, path: Set<string>) => {
    const next = children.get(id) ?? [];
    next.forEach((child, index) => {
      const last = index === next.length - 1;
      const repeated = shown.has(child.node);
      const cycle = path.has(child.node);
      lines.push(
        `${prefix}${last ? '└─' : '├─'} ${arrow} ${child.relation} ${describe(child.node, nodes)}${repeated ? ' (shown above)' : ''}`,
      );
      shown.add(child.node);
      if (!repeated && !cycle)
        walk(child.node, `${prefix}${last ? '   ' : '│  '}`, new Set([...path, child.node]));
    });
  };
  walk(graph.root, '', new Set([graph.root]));
  if (lines.length === 2) lines.push(`(nothing ${way})`);
  return `${lines.join('\n')}\n`;
}

function describe(id: string, nodes: Map<string, LineageNode>): string {
  const node = nodes.get(id);
  if (node === undefined) return id;
  if (!node.exists) return `${id} (missing)`;
  const d = node.details;
  const facts: string[] = [];
  if (node.kind === 'model') {
    facts.push(String(d.approvalStatus));
    const aliases = d.aliases as string[] | undefined;
    if (aliases !== undefined && aliases.length > 0) facts.push(aliases.map((a) => `@${a}`).join(' '));
  } else if (node.kind === 'dataset') {
    facts.push(`${d.rowCount} rows`, String(d.format));
  } else if (node.kind === 'run') {
    facts.push(`${d.experiment}/${d.runName}`, String(d.status));
  }
  return facts.length === 0 ? id : `${id} (${facts.join(', ')})`;
}

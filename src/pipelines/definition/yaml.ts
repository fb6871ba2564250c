/**
 * YAML front end: parses with source positions so every problem also carries the line and column of
 * the node at fault, and reports YAML's own errors and duplicate keys (which a plain parse would
 * silently resolve) in the same list.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { validatePipeline } from './parse-pipeline.js';
import { formatField, type Path, type Position, Problems } from './problems.js';
import type { Pipeline } from './types.js';

export function parsePipelineYaml(text: string, file?: string): Pipeline {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const problems = new Problems();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  for (const error of document.errors)
    problems.add([], `YAML: ${firstLine(error.message)}`, position(error.pos[0]));
  if (document.errors.length === 0) reportDuplicateKeys(document.contents, [], problems, position);
  if (problems.count > 0) problems.throwIfAny(undefined, file);
  return validatePipeline(document.toJS(), problems, locator(document.contents, position), file);
}

/**
 * Where each path of a pipeline's YAML was written, for problems found after parsing (e.g. an `fn`
 * step's module that does not bundle). Paths that do not exist point at their nearest parent.
 */
export function yamlLocator(text: string): (path: Path) => Position | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  return locator(document.contents, (offset) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  });
}

function locator(
  root: unknown,
  position: (offset: number) => Position,
): (path: Path) => Position | undefined {
  return (path) => {
    const offset = offsetOf(root, path);
    return offset === undefined ? undefined : position(offset);
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}

/** The offset of the node a path names, or of the nearest enclosing node that exists. */
function offsetOf(root: unknown, path: Path): number | undefined {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return offset;
      // A field is pointed at by its key: where the reader's eye goes, whatever the value's shape.
      offset = (pair.key as Node).range?.[0];
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return offset;
      offset = item.range?.[0];
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}

function reportDuplicateKeys(
  node: unknown,
  path: Path,
  problems: Problems,
  position: (offset: number) => Position,
): void {
  if (isSeq(node))
    node.items.forEach((item, i) => {
      reportDuplicateKeys(item, [...path, i], problems, position);
    });
  if (!isMap(node)) return;
  const seen = new Set<string>();
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) continue;
    if (seen.has(key)) {
      const what =
        path.length === 1 && path[0] === 'params' ? 'param' : path.at(-1) === 'inputs' ? 'input' : 'key';
      const where = what !== 'key' || path.length === 0 ? '' : ` in ${formatField(path)}`;
      problems.add(
        [...path, key],
        `duplicate ${what} '${key}'${where}`,
        position((pair.key as Node).range![0]),
      );
    }
    seen.add(key);
    reportDuplicateKeys(pair.value, [...path, key], problems, position);
  }
}

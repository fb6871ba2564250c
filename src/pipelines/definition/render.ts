/**
 * `slipway pipelines show`: the DAG as plain text, one line per level (steps that can run together),
 * then every edge. Deterministic — declaration order within a level — so it can be diffed and tested.
 */
import { dependenciesOf, levelsOf } from './graph.js';
import type { Pipeline, Step } from './types.js';

export function renderDag(pipeline: Pipeline): string {
  const levels = levelsOf(pipeline);
  const known = new Set(pipeline.steps.map((step) => step.name));
  const width = String(levels.length - 1).length;
  const lines = [`pipeline ${pipeline.name}: ${pipeline.steps.length} steps in ${levels.length} levels`];
  levels.forEach((level, i) => {
    lines.push(`  ${String(i).padStart(width)} │ ${level.map(describeStep).join('  ')}`);
  });
  const edges = levels.flat().flatMap((step) =>
    dependenciesOf(step, known).map((upstream) => {
      const afterOnly = step.after.includes(upstream) && !referencesStep(step, upstream, known);
      return `  ${upstream} -> ${step.name}${afterOnly ? ' (after)' : ''}`;
    }),
  );
  if (edges.length > 0) lines.push('edges:', ...edges);
  return `${lines.join('\n')}\n`;
}

function describeStep(step: Step): string {
  const marks = [step.kind, ...(step.foreach ? ['foreach'] : []), ...(step.when ? ['when'] : [])];
  return `${step.name} [${marks.join(', ')}]`;
}

function referencesStep(step: Step, upstream: string, known: ReadonlySet<string>): boolean {
  return dependenciesOf({ ...step, after: [] }, known).includes(upstream);
}

/**
 * The DAG a pipeline's references and `after` lists define: dependencies, a stable topological order
 * (declaration order among ready steps), transitive upstream/downstream sets, and cycle finding.
 */
import { stepReferences } from './step-references.js';
import type { Pipeline, Step } from './types.js';

type Steps = Pick<Pipeline, 'steps'>;

/** The names of the steps `step` directly depends on, in first-mention order, unknown names dropped. */
export function dependenciesOf(step: Step, known: ReadonlySet<string>): string[] {
  const names = [
    ...stepReferences(step).flatMap(({ ref }) => (ref.source === 'step' ? [ref.step] : [])),
    ...step.after,
  ];
  return [...new Set(names)].filter((name) => name !== step.name && known.has(name));
}

function dependencyMap(pipeline: Steps): Map<string, string[]> {
  const known = new Set(pipeline.steps.map((step) => step.name));
  return new Map(pipeline.steps.map((step) => [step.name, dependenciesOf(step, known)]));
}

/** Steps in an order where each comes after all it depends on; ties keep declaration order. */
export function topologicalOrder(pipeline: Steps): Step[] {
  const dependencies = dependencyMap(pipeline);
  const done = new Set<string>();
  const order: Step[] = [];
  while (order.length < pipeline.steps.length) {
    const ready = pipeline.steps.find(
      (step) => !done.has(step.name) && dependencies.get(step.name)!.every((name) => done.has(name)),
    );
    if (!ready) throw new Error(`pipeline has a cycle: ${findCycle(pipeline)?.join(' -> ')}`);
    done.add(ready.name);
    order.push(ready);
  }
  return order;
}

/** Levels for display: each step one deeper than its deepest dependency. */
export function levelsOf(pipeline: Steps): Step[][] {
  const dependencies = dependencyMap(pipeline);
  const depth = new Map<string, number>();
  const levels: Step[][] = [];
  for (const step of topologicalOrder(pipeline)) {
    const level = Math.max(-1, ...dependencies.get(step.name)!.map((name) => depth.get(name)!)) + 1;
    depth.set(step.name, level);
    if (levels[level] === undefined) levels[level] = [];
    levels[level].push(step);
  }
  for (const level of levels) level.sort((a, b) => pipeline.steps.indexOf(a) - pipeline.steps.indexOf(b));
  return levels;
}

/** Every step `name` depends on, directly or not, in declaration order. */
export function upstreamOf(pipeline: Steps, name: string): string[] {
  const dependencies = dependencyMap(pipeline);
  return closure(pipeline, name, (step) => dependencies.get(step) ?? []);
}

/** Every step that depends on `name`, directly or not, in declaration order. */
export function downstreamOf(pipeline: Steps, name: string): string[] {
  const dependencies = dependencyMap(pipeline);
  const dependents = (step: string) =>
    [...dependencies].filter(([, upstream]) => upstream.includes(step)).map(([dependent]) => dependent);
  return closure(pipeline, name, dependents);
}

function closure(pipeline: Steps, start: string, next: (name: string) => readonly string[]): string[] {
  const seen = new Set<string>();
  const pending = [...next(start)];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    pending.push(...next(name));
  }
  return pipeline.steps.map((step) => step.name).filter((name) => seen.has(name));
}

/**
 * A cycle as step names in flow order, first repeated at the end (`a -> b -> a` as [a, b, a]),
 * starting from its earliest-declared step; undefined when the graph is acyclic.
 */
export function findCycle(pipeline: Steps): string[] | undefined {
  const dependencies = dependencyMap(pipeline);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return stack.slice(stack.indexOf(name));
    state.set(name, 'visiting');
    stack.push(name);
    for (const upstream of dependencies.get(name) ?? []) {
      const cycle = visit(upstream);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const step of pipeline.steps) {
    const cycle = visit(step.name);
    if (!cycle) continue;
    // The stack runs against the flow (each entry depends on the next); reverse it, then rotate to
    // start at the earliest-declared member so the message does not depend on where the search began.
    const flow = cycle.reverse();
    const index = (name: string) => pipeline.steps.findIndex((candidate) => candidate.name === name);
    const first = flow.reduce((best, name, i) => (index(name) < index(flow[best]!) ? i : best), 0);
    const rotated = [...flow.slice(first), ...flow.slice(0, first)];
    return [...rotated, rotated[0]!];
  }
  return undefined;
}

/**
 * Every reference a step makes, with where it was written: inputs, env, argv, foreach.items, `when`
 * and a gate's condition. Both validation and the graph derive from this one list.
 */
import type { Path } from './problems.js';
import { referencesOf } from './references.js';
import type { Expression, Reference, Step } from './types.js';

export interface StepReference {
  readonly ref: Reference;
  readonly path: Path;
  /** The column within an expression, for references written in `when` or a gate condition. */
  readonly column?: number;
}

export function stepReferences(step: Step): StepReference[] {
  const found: StepReference[] = [];
  for (const [key, value] of Object.entries(step.inputs))
    for (const ref of referencesOf(value)) found.push({ ref, path: ['inputs', key] });
  if (step.kind === 'command') {
    step.argv.forEach((value, i) => {
      for (const ref of referencesOf(value)) found.push({ ref, path: ['argv', i] });
    });
    for (const [key, value] of Object.entries(step.env))
      for (const ref of referencesOf(value)) found.push({ ref, path: ['env', key] });
  }
  if (step.foreach)
    for (const ref of referencesOf(step.foreach.items)) found.push({ ref, path: ['foreach', 'items'] });
  if (step.when) for (const path of expressionPaths(step.when.ast)) found.push({ ...path, path: ['when'] });
  if (step.kind === 'gate')
    for (const path of expressionPaths(step.condition.ast))
      found.push({ ...path, path: ['inputs', 'condition'] });
  return found;
}

function expressionPaths(ast: Expression): { ref: Reference; column: number }[] {
  switch (ast.type) {
    case 'literal':
      return [];
    case 'path':
      return [{ ref: ast.ref, column: ast.column }];
    case 'not':
      return expressionPaths(ast.operand);
    case 'binary':
      return [...expressionPaths(ast.left), ...expressionPaths(ast.right)];
  }
}

/**
 * Cross-step checks, once every step has its own shape: each reference names a known param, step
 * and output; `item` is used only inside a foreach; `after` names known steps; values given to
 * built-ins have the type the built-in declares; and the graph has no cycle.
 */
import { BUILTIN_SCHEMAS, isBuiltinKind } from './builtins.js';
import { findCycle } from './graph.js';
import type { Path, Problems } from './problems.js';
import { stepReferences } from './step-references.js';
import type { InputValue, OutputType, ParamSpec, Reference, Step } from './types.js';
import { isAssignable, typeOfConstant } from './value-types.js';

export interface IndexedStep {
  readonly step: Step;
  readonly index: number;
}

export function checkReferences(
  steps: readonly IndexedStep[],
  params: Readonly<Record<string, ParamSpec>>,
  problems: Problems,
): void {
  const byName = new Map(steps.map((entry) => [entry.step.name, entry.step]));
  for (const { step, index } of steps) {
    const at = (path: Path): Path => ['steps', index, ...path];
    for (const { ref, path, column } of stepReferences(step)) {
      const problem = referenceProblem(ref, step, path, byName, params);
      if (problem) problems.add(at(path), column === undefined ? problem : `column ${column}: ${problem}`);
    }
    step.after.forEach((name, i) => {
      if (name === step.name) problems.add(at(['after', i]), 'a step cannot run after itself');
      else if (!byName.has(name)) problems.add(at(['after', i]), unknownStep(name, step, byName));
    });
    checkTypes(step, byName, params, (path, text) => problems.add(at(path), text));
  }
  const cycle = findCycle({ steps: steps.map((entry) => entry.step) });
  if (cycle) {
    const first = steps.find((entry) => entry.step.name === cycle[0])!;
    problems.add(['steps', first.index], `dependency cycle ${cycle.join(' -> ')}`);
  }
}

function referenceProblem(
  ref: Reference,
  step: Step,
  path: Path,
  steps: ReadonlyMap<string, Step>,
  params: Readonly<Record<string, ParamSpec>>,
): string | undefined {
  if (ref.source === 'item') {
    if (!step.foreach) return `\${{ item }} is only available inside a foreach step`;
    if (path[0] === 'foreach') return `foreach.items cannot use \${{ item }}; it defines the items`;
    return undefined;
  }
  if (ref.source === 'param') {
    if (Object.hasOwn(params, ref.name)) return undefined;
    const known = Object.keys(params);
    return `unknown param '${ref.name}' (${known.length ? `known: ${known.join(', ')}` : 'the pipeline declares no params'})`;
  }
  if (ref.step === step.name) return `a step cannot reference itself (${ref.path})`;
  const upstream = steps.get(ref.step);
  if (!upstream) return unknownStep(ref.step, step, steps);
  const outputs = Object.keys(outputTypesOf(upstream));
  if (!outputs.includes(ref.output))
    return `step '${ref.step}' has no output '${ref.output}' (${outputs.length ? `outputs: ${outputs.join(', ')}` : 'it declares no outputs'})`;
  return undefined;
}

function unknownStep(name: string, step: Step, steps: ReadonlyMap<string, Step>): string {
  const others = [...steps.keys()].filter((other) => other !== step.name);
  return `unknown step '${name}' (${others.length ? `known: ${others.join(', ')}` : 'the pipeline has no other steps'})`;
}

export function outputTypesOf(step: Step): Readonly<Record<string, OutputType>> {
  if (step.kind === 'fn' || step.kind === 'command') return step.outputs;
  return BUILTIN_SCHEMAS[step.kind].outputs;
}

/** The type a reference produces, or undefined when it names nothing (reported elsewhere). */
function typeOfReference(
  ref: Reference,
  steps: ReadonlyMap<string, Step>,
  params: Readonly<Record<string, ParamSpec>>,
): OutputType | undefined {
  if (ref.source === 'item') return 'json';
  if (ref.source === 'param') return params[ref.name]?.type;
  const upstream = steps.get(ref.step);
  if (!upstream) return undefined;
  const type = outputTypesOf(upstream)[ref.output];
  // Downstream of a foreach, an output is the list of its per-item values.
  return type && upstream.foreach ? 'list' : type;
}

function checkTypes(
  step: Step,
  steps: ReadonlyMap<string, Step>,
  params: Readonly<Record<string, ParamSpec>>,
  report: (path: Path, text: string) => void,
): void {
  if (step.foreach?.items.kind === 'ref') {
    const ref = step.foreach.items.ref;
    const type = typeOfReference(ref, steps, params);
    if (type && !isAssignable(type, 'list', false))
      report(['foreach', 'items'], `must be a list, ${ref.path} is ${type}`);
  }
  if (!isBuiltinKind(step.kind) || step.kind === 'gate') return;
  const schema = BUILTIN_SCHEMAS[step.kind].inputs as Readonly<Record<string, { type: OutputType }>>;
  for (const [key, value] of Object.entries(step.inputs)) {
    const expected = schema[key]?.type;
    if (!expected) continue;
    const problem = typeProblem(value, expected, steps, params);
    if (problem) report(['inputs', key], `expects ${expected}, ${problem}`);
  }
}

function typeProblem(
  value: InputValue,
  expected: OutputType,
  steps: ReadonlyMap<string, Step>,
  params: Readonly<Record<string, ParamSpec>>,
): string | undefined {
  if (value.kind === 'template') return isAssignable('string', expected, true) ? undefined : 'got text';
  if (value.kind === 'const') {
    const type = typeOfConstant(value.value);
    return isAssignable(type, expected, true) ? undefined : `got ${type} ${JSON.stringify(value.value)}`;
  }
  const type = typeOfReference(value.ref, steps, params);
  if (!type || isAssignable(type, expected, value.ref.source === 'param')) return undefined;
  return `${value.ref.path} is ${type}`;
}

/**
 * Each `fn` step's module as one self-contained ESM bundle, so a server that never sees the user's
 * disk (or their node_modules) can run it. Every problem (missing module, compile error, missing
 * export) is collected, with the YAML line and column when the pipeline came from YAML, then thrown once.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { build } from 'esbuild';
import type { FnStep, Pipeline } from '../definition/index.js';
import { type Path, type Position, Problems } from '../definition/problems.js';
import { yamlLocator } from '../definition/yaml.js';
import { describeBuildFailure, stepBundleOptions } from './esbuild-node.js';
import type { FnBundle } from './package-layout.js';

type Built = { readonly exports: string[]; readonly code: Uint8Array } | { readonly problem: string };

/** Bundles keyed by step name; `file` is the pipeline file that `module` paths are relative to. */
export async function bundleFnSteps(pipeline: Pipeline, file: string): Promise<Record<string, FnBundle>> {
  const dir = dirname(resolve(file));
  const fnSteps = pipeline.steps
    .map((step, index) => ({ step, index }))
    .filter((entry): entry is { step: FnStep; index: number } => entry.step.kind === 'fn');

  // One build per module, however many steps use it.
  const builds = new Map<string, Promise<Built>>();
  for (const { step } of fnSteps) {
    const path = resolveModule(dir, step.module);
    if (!builds.has(path)) builds.set(path, bundleModule(path, dir));
  }

  const problems = new Problems();
  problems.labelStepsWith(pipeline.steps.map((step) => step.name));
  const bundles: Record<string, FnBundle> = {};
  for (const { step, index } of fnSteps) {
    const path = resolveModule(dir, step.module);
    const built = await builds.get(path)!;
    if ('problem' in built) {
      problems.add(['steps', index, 'module'], `module '${step.module}' ${built.problem}`);
    } else if (!built.exports.includes(step.export)) {
      const found =
        built.exports.length === 0 ? 'it has no exports' : `its exports: ${built.exports.join(', ')}`;
      problems.add(['steps', index, 'export'], `${path} has no export '${step.export}' (${found})`);
    } else {
      bundles[step.name] = {
        module: step.module,
        export: step.export,
        exports: built.exports,
        code: built.code,
      };
    }
  }
  if (problems.count > 0) problems.throwIfAny(await locatorFor(file), file);
  return bundles;
}

function resolveModule(dir: string, module: string): string {
  return isAbsolute(module) ? module : resolve(dir, module);
}

async function bundleModule(path: string, workingDir: string): Promise<Built> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return { problem: `not found: looked for ${path}` };
  try {
    const result = await build(stepBundleOptions(path, workingDir));
    const output = Object.values(result.metafile?.outputs ?? {}).find((out) => out.entryPoint !== undefined);
    const code = result.outputFiles?.[0]?.contents;
    if (!output || !code) return { problem: `(${path}) produced no bundle` };
    return { exports: [...output.exports].sort(), code };
  } catch (error) {
    return { problem: `(${path}) does not compile: ${describeBuildFailure(error)}` };
  }
}

/** Only YAML keeps positions worth pointing at; a TypeScript pipeline's fields have no line of their own. */
async function locatorFor(file: string): Promise<((path: Path) => Position | undefined) | undefined> {
  if (!/\.ya?ml$/i.test(file)) return undefined;
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : yamlLocator(text);
}

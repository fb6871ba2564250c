/**
 * A pipeline file (YAML, or a TypeScript/JavaScript module exporting one) → the validated pipeline
 * and the spec that travels to the server. A module is bundled beside itself so its bare imports
 * (`slipway`, anything else) resolve from the user's own node_modules, then imported and deleted.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { InvalidError } from '../../core/errors.js';
import {
  type Pipeline,
  type PipelineSpec,
  parsePipeline,
  parsePipelineYaml,
  toPipelineSpec,
} from '../definition/index.js';
import { describeBuildFailure } from './esbuild-node.js';

export interface LoadedPipeline {
  readonly pipeline: Pipeline;
  /** The wire format: what the server parses again. */
  readonly spec: PipelineSpec;
  /** Absolute. */
  readonly file: string;
}

const YAML_EXTENSIONS = ['.yaml', '.yml'];
const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export async function loadPipelineFile(path: string): Promise<LoadedPipeline> {
  const file = resolve(path);
  const extension = extname(file).toLowerCase();
  if (!YAML_EXTENSIONS.includes(extension) && !MODULE_EXTENSIONS.includes(extension))
    throw invalidFile(
      `must be a pipeline file ending in ${[...YAML_EXTENSIONS, ...MODULE_EXTENSIONS].join(', ')}, got '${path}'`,
    );
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw invalidFile(`pipeline file not found: looked for ${file}`);

  if (YAML_EXTENSIONS.includes(extension)) {
    const pipeline = parsePipelineYaml(await readFile(file, 'utf8'), file);
    return { pipeline, spec: toPipelineSpec(pipeline), file };
  }
  const exported = await importPipelineModule(file);
  // Re-parsing the spec of a ready Pipeline also validates one built by another copy of Slipway.
  const spec = isPipelineModel(exported) ? toPipelineSpec(exported) : exported;
  const pipeline = parsePipeline(spec, { file });
  return { pipeline, spec: toPipelineSpec(pipeline), file };
}

/** The module's default export, else its export named `pipeline`. */
async function importPipelineModule(file: string): Promise<unknown> {
  let code: Uint8Array;
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    code = result.outputFiles[0]!.contents;
  } catch (error) {
    throw invalidFile(`${file} does not compile: ${describeBuildFailure(error)}`);
  }
  // A dot name keeps the temporary file out of a snapshot taken meanwhile.
  const temporary = join(dirname(file), `.${basename(file)}.${randomUUID().slice(0, 8)}.slipway.mjs`);
  let module: Record<string, unknown>;
  try {
    await writeFile(temporary, code, { flag: 'wx' });
    module = (await import(pathToFileURL(temporary).href)) as Record<string, unknown>;
  } catch (error) {
    throw loadFailure(file, error);
  } finally {
    await rm(temporary, { force: true });
  }
  const value = module.default ?? module.pipeline;
  if (value === undefined) {
    const names = Object.keys(module);
    throw invalidFile(
      `${file} has no default export and no export named 'pipeline' (${names.length === 0 ? 'it has no exports' : `its exports: ${names.join(', ')}`}); export the result of definePipeline(…)`,
    );
  }
  return value;
}

/**
 * A validated Pipeline rather than a spec. Only the model has every step's defaults filled in, its
 * inputs, argv and foreach items parsed into `{ kind: 'const' | 'ref' | 'template' }` and its
 * conditions parsed into `{ source, ast }`; a spec has strings and plain JSON there.
 */
function isPipelineModel(value: unknown): value is Pipeline {
  if (!isRecord(value) || !Array.isArray(value.steps) || value.steps.length === 0) return false;
  return value.steps.every(
    (step: unknown) =>
      isRecord(step) &&
      typeof step.cache === 'boolean' &&
      Array.isArray(step.resources) &&
      Array.isArray(step.after) &&
      isRecord(step.retries) &&
      typeof step.retries.factor === 'number' &&
      step.timeout === undefined &&
      isRecord(step.inputs) &&
      Object.values(step.inputs).every(isInputValue) &&
      (step.when === undefined || isRecord(step.when)) &&
      (step.foreach === undefined || (isRecord(step.foreach) && isInputValue(step.foreach.items))) &&
      (step.kind !== 'command' || (Array.isArray(step.argv) && step.argv.every(isInputValue))) &&
      (step.kind !== 'gate' || isRecord(step.condition)),
  );
}

function isInputValue(value: unknown): boolean {
  return isRecord(value) && ['const', 'ref', 'template'].includes(String(value.kind));
}

/** The module's own validation error (from any copy of Slipway) is kept; anything else is wrapped. */
function loadFailure(file: string, error: unknown): InvalidError {
  if (error instanceof InvalidError) return error;
  const like = error as { name?: unknown; message?: unknown; details?: unknown } | null;
  if (like?.name === 'InvalidError' && typeof like.message === 'string' && isRecord(like.details))
    return new InvalidError(like.message, like.details);
  const message = error instanceof Error ? error.message : String(error);
  return invalidFile(`${file} failed to load: ${message}`);
}

function invalidFile(message: string): InvalidError {
  return new InvalidError(message, { field: 'file' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

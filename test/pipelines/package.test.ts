/**
 * Packaging a pipeline for `pipelines apply`, through the public faces: the spec round-trips through
 * parsing exactly; pipeline files load from YAML and TypeScript; `fn` modules bundle into
 * self-contained ESM that runs away from the user's disk; problems point at the YAML line; the
 * directory snapshot is bounded; and the tar package survives a round trip into a real blob store
 * while the server's reader refuses every malformed package.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ … }}` is pipeline reference syntax, not a JS template.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { type BlobStore, openBlobStore } from '../../src/artifacts/index.js';
import { InvalidError } from '../../src/core/errors.js';
import {
  type Pipeline,
  type PipelineSpec,
  parsePipeline,
  parsePipelineYaml,
  pipelineDigest,
  toPipelineSpec,
} from '../../src/pipelines/definition/index.js';
import {
  bundleFnSteps,
  loadPipelineFile,
  readApplyPackage,
  snapshotFiles,
  writeApplyPackage,
} from '../../src/pipelines/package/index.js';
import { CHURN_SPEC, CHURN_YAML } from './churn-pipeline.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DEFINITION_MODULE = join(REPO, 'src/pipelines/definition/index.ts');
const temporary: string[] = [];

afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-package-'));
  temporary.push(dir);
  return dir;
}

/** Writes `files` (relative path → text) under `dir`, creating folders. */
async function writeTree(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** The user's node_modules, as far as these tests need one: the `yaml` package. */
async function linkYamlPackage(dir: string): Promise<void> {
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(join(REPO, 'node_modules/yaml'), join(dir, 'node_modules/yaml'), 'dir');
}

async function rejection(promise: Promise<unknown>): Promise<InvalidError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InvalidError) return error;
    throw error;
  }
  throw new Error('expected an InvalidError, but it succeeded');
}

function problemsOf(
  error: InvalidError,
): { field: string; message: string; line?: number; column?: number }[] {
  return error.details.problems as { field: string; message: string; line?: number; column?: number }[];
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('toPipelineSpec', () => {
  const shapes: Record<string, Pipeline> = {
    'the churn pipeline from YAML': parsePipelineYaml(CHURN_YAML, 'churn.yaml'),
    'the churn pipeline from TypeScript': parsePipeline(CHURN_SPEC),
    'a command with env, cwd, timeout, retries and a condition': parsePipeline({
      name: 'commands',
      params: { who: { type: 'string', default: 'world' }, n: { type: 'integer' } },
      steps: [
        {
          name: 'hello',
          kind: 'command',
          argv: ['sh', '-c', 'echo hello ${{params.who}} and ${{ params.n }}!', '${{ params.who }}'],
          env: { WHO: '${{ params.who }}', COUNT: 3, LOUD: true, PLAIN: 'x', MIXED: 'n=${{ params.n }}' },
          cwd: 'scripts',
          timeout: '90s',
          retries: { count: 3, backoffMs: 500, factor: 1.5, maxBackoffMs: 10_000 },
          cache: false,
          resources: ['cpu', 'gpu'],
          when: '!(params.n < 2) || params.who == "x"',
          outputs: { greeting: 'string' },
        },
      ],
    }),
    'foreach over constants and references, objects and lists as constants': parsePipeline({
      name: 'fan-out',
      description: '',
      concurrency: 3,
      params: { config: { type: 'json', default: { depth: [1, 2], nested: { on: true } } } },
      steps: [
        {
          name: 'each',
          kind: 'fn',
          module: '/abs/steps.mjs',
          export: 'run',
          foreach: { items: [{ a: 1 }, [2, 3], 'four', null] },
          inputs: {
            item: '${{ item }}',
            config: '${{ params.config }}',
            table: { rows: [[1, 'a']], ok: null },
          },
          outputs: { score: 'number', report: 'file' },
        },
        {
          name: 'again',
          kind: 'fn',
          module: '../steps.ts',
          foreach: { items: '${{ steps.each.outputs.score }}' },
          inputs: { label: 'score ${{ item }} of ${{ steps.each.outputs.report }}' },
          after: ['each'],
        },
        {
          name: 'check',
          kind: 'gate',
          inputs: { condition: 'steps.each.outputs.score >= 0.5' },
        },
      ],
    }),
  };

  it.each(Object.entries(shapes))('parses back to the same pipeline and digest: %s', (_, pipeline) => {
    const spec = toPipelineSpec(pipeline);
    // The spec travels as JSON: nothing may depend on object identity or undefined fields.
    const again = parsePipeline(JSON.parse(JSON.stringify(spec)), { file: 'elsewhere.yaml' });
    expect(again).toEqual(pipeline);
    expect(pipelineDigest(again)).toBe(pipelineDigest(pipeline));
    expect(toPipelineSpec(again)).toEqual(spec);
  });

  it('writes references back as placeholders and durations as milliseconds', () => {
    const spec = toPipelineSpec(parsePipelineYaml(CHURN_YAML));
    const train = spec.steps.find((step) => step.name === 'train')!;
    expect(train).toMatchObject({
      timeout: 600_000,
      inputs: { dataset: '${{ steps.push.outputs.dataset }}' },
    });
    const compare = spec.steps.find((step) => step.name === 'compare')!;
    expect(compare).toMatchObject({ argv: ['python3', 'compare.py', '--threshold=${{ params.threshold }}'] });
    const gate = spec.steps.find((step) => step.name === 'gate')!;
    expect(gate.inputs).toEqual({
      condition:
        'steps.evaluate.outputs.auc >= params.threshold && steps.compare.outputs.best <= steps.evaluate.outputs.auc',
    });
  });
});

describe('loadPipelineFile', () => {
  it('loads YAML with its absolute path', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'churn.yaml'), CHURN_YAML);
    const loaded = await loadPipelineFile(join(dir, 'churn.yaml'));
    expect(loaded.file).toBe(join(dir, 'churn.yaml'));
    expect(loaded.pipeline).toEqual(parsePipelineYaml(CHURN_YAML));
    expect(parsePipeline(loaded.spec)).toEqual(loaded.pipeline);
  });

  it('loads a TypeScript module exporting definePipeline(…) by default, and deletes its temporary bundle', async () => {
    const dir = await tempDir();
    await linkYamlPackage(dir);
    await writeTree(dir, {
      'churn.ts': `import { definePipeline } from ${JSON.stringify(DEFINITION_MODULE)};
import { CHURN_SPEC } from ${JSON.stringify(join(REPO, 'test/pipelines/churn-pipeline.ts'))};
const threshold: number = 0.9;
export default definePipeline({ ...CHURN_SPEC, params: { ...CHURN_SPEC.params, threshold: { type: 'number', default: threshold } } });
`,
    });
    const loaded = await loadPipelineFile(join(dir, 'churn.ts'));
    expect(loaded.pipeline.params.threshold).toEqual({ type: 'number', default: 0.9 });
    expect(loaded.pipeline.steps.map((step) => step.name)).toEqual(CHURN_SPEC.steps.map((step) => step.name));
    expect(parsePipeline(loaded.spec)).toEqual(loaded.pipeline);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).sort()).toEqual(['churn.ts', 'node_modules']);
  });

  it('loads a module whose export named pipeline is a plain spec', async () => {
    const dir = await tempDir();
    const spec: PipelineSpec = {
      name: 'plain',
      steps: [{ name: 'run', kind: 'command', argv: ['true'], timeout: '2m' }],
    };
    await writeTree(dir, { 'plain.mjs': `export const pipeline = ${JSON.stringify(spec)};\n` });
    const loaded = await loadPipelineFile(join(dir, 'plain.mjs'));
    expect(loaded.pipeline).toEqual(parsePipeline(spec));
    expect(loaded.pipeline.steps[0]!.timeoutMs).toBe(120_000);
  });

  it('passes on the validation problems a module throws, with their fields', async () => {
    const dir = await tempDir();
    await linkYamlPackage(dir);
    await writeTree(dir, {
      'bad.ts': `import { definePipeline } from ${JSON.stringify(DEFINITION_MODULE)};
export default definePipeline({ name: 'bad', steps: [{ name: 'x', kind: 'command', argv: [] }] });
`,
    });
    const error = await rejection(loadPipelineFile(join(dir, 'bad.ts')));
    expect(problemsOf(error).map((p) => p.field)).toEqual(['steps[0].argv']);
  });

  it('rejects a missing file, another extension, a module without a pipeline and one that does not compile', async () => {
    const dir = await tempDir();
    await writeTree(dir, {
      'none.ts': 'export const other = 1;\n',
      'broken.ts': 'export default definePipeline({ name: \n',
      'notes.txt': 'name: x\n',
    });
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.yaml'), /pipeline file not found: looked for .*missing\.yaml/],
      [join(dir, 'notes.txt'), /must be a pipeline file ending in \.yaml, .*got/],
      [join(dir, 'none.ts'), /has no default export and no export named 'pipeline' \(its exports: other\)/],
      [join(dir, 'broken.ts'), /broken\.ts does not compile: .*broken\.ts:2:\d+: /],
    ];
    for (const [file, message] of cases) {
      const error = await rejection(loadPipelineFile(file));
      expect(error.details.field).toBe('file');
      expect(error.message).toMatch(message);
    }
  });
});

describe('bundleFnSteps', () => {
  const TRAIN_TS = `import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { scale } from './helper.ts';
import legacy from './legacy.cjs';
// The ESM idiom that would collide with the bundle's own __dirname if esbuild did not rename it.
const __dirname = dirname(fileURLToPath(import.meta.url));
export default function train(inputs: { leaves: number }): string {
  return stringify({ leaves: scale(inputs.leaves), sep: legacy.sep, here: typeof __dirname, cjsDir: typeof legacy.dir });
}
export const evaluate = (x: number): number => scale(x) + 1;
`;

  async function projectWithSteps(): Promise<string> {
    const dir = await tempDir();
    await linkYamlPackage(dir);
    await writeTree(dir, {
      'steps/train.ts': TRAIN_TS,
      'steps/helper.ts': 'export const scale = (x: number): number => x * 10;\n',
      // CommonJS using require and __dirname, as many npm packages still do.
      'steps/legacy.cjs': "module.exports = { sep: require('node:path').sep, dir: __dirname };\n",
    });
    return dir;
  }

  it('bundles each module once into self-contained ESM that runs elsewhere', async () => {
    const dir = await projectWithSteps();
    const yaml = `name: bundled
steps:
  - name: train
    kind: fn
    module: ./steps/train.ts
  - name: evaluate
    kind: fn
    module: ${join(dir, 'steps/train.ts')}
    export: evaluate
  - name: shell
    kind: command
    argv: [echo, hi]
`;
    await writeFile(join(dir, 'pipeline.yaml'), yaml);
    const { pipeline, file } = await loadPipelineFile(join(dir, 'pipeline.yaml'));
    const bundles = await bundleFnSteps(pipeline, file);

    expect(Object.keys(bundles).sort()).toEqual(['evaluate', 'train']);
    expect(bundles.train).toMatchObject({ module: './steps/train.ts', export: 'default' });
    expect(bundles.train!.exports).toEqual(['default', 'evaluate']);
    expect(bundles.evaluate!.export).toBe('evaluate');
    expect(bundles.evaluate!.code).toBe(bundles.train!.code);

    // Far from the project and its node_modules: only the bundle's own bytes are there.
    const elsewhere = await tempDir();
    const bundlePath = join(elsewhere, 'train.mjs');
    await writeFile(bundlePath, bundles.train!.code);
    const module = (await import(pathToFileURL(bundlePath).href)) as {
      default: (inputs: { leaves: number }) => string;
      evaluate: (x: number) => number;
    };
    expect(module.default({ leaves: 4 })).toBe('leaves: 40\nsep: /\nhere: string\ncjsDir: string\n');
    expect(module.evaluate(2)).toBe(21);
  });

  it('reports a missing module, a compile error and a missing export at once, with YAML lines', async () => {
    const dir = await projectWithSteps();
    await writeTree(dir, { 'steps/broken.ts': 'export const = 1;\n' });
    const yaml = `name: broken
steps:
  - name: missing
    kind: fn
    module: ./steps/nowhere.ts
  - name: broken
    kind: fn
    module: ./steps/broken.ts
  - name: wrong-export
    kind: fn
    module: ./steps/train.ts
    export: fit
  - name: default-export
    kind: fn
    module: ./steps/helper.ts
`;
    const file = join(dir, 'pipeline.yaml');
    await writeFile(file, yaml);
    const { pipeline } = await loadPipelineFile(file);
    const error = await rejection(bundleFnSteps(pipeline, file));
    const problems = problemsOf(error);
    expect(problems.map(({ field, line, column }) => ({ field, line, column }))).toEqual([
      { field: 'steps[0].module', line: 5, column: 5 },
      { field: 'steps[1].module', line: 8, column: 5 },
      { field: 'steps[2].export', line: 12, column: 5 },
      // `export` is not written, so the step itself is pointed at.
      { field: 'steps[3].export', line: 13, column: 5 },
    ]);
    expect(problems[0]!.message).toContain(
      `${file}:5:5: steps[0] (missing).module: module './steps/nowhere.ts'`,
    );
    expect(problems[0]!.message).toContain(`not found: looked for ${join(dir, 'steps/nowhere.ts')}`);
    expect(problems[1]!.message).toMatch(/does not compile: steps\/broken\.ts:1:14: Expected identifier/);
    expect(problems[2]!.message).toContain(
      `${join(dir, 'steps/train.ts')} has no export 'fit' (its exports: default, evaluate)`,
    );
    expect(problems[3]!.message).toContain("has no export 'default' (its exports: scale)");
    expect(error.details.field).toBe('steps[0].module');
  });

  it('reports without positions for a TypeScript pipeline', async () => {
    const dir = await tempDir();
    const pipeline = parsePipeline({ name: 'ts', steps: [{ name: 'a', kind: 'fn', module: './a.ts' }] });
    const error = await rejection(bundleFnSteps(pipeline, join(dir, 'pipeline.ts')));
    expect(problemsOf(error)).toEqual([
      {
        field: 'steps[0].module',
        message: `steps[0] (a).module: module './a.ts' not found: looked for ${join(dir, 'a.ts')}`,
      },
    ]);
  });
});

describe('snapshotFiles', () => {
  const withCommand = parsePipeline({ name: 's', steps: [{ name: 'c', kind: 'command', argv: ['true'] }] });

  async function project(): Promise<string> {
    const dir = await tempDir();
    await writeTree(dir, {
      'pipeline.yaml': 'name: s\n',
      'score.py': 'print(1)\n',
      'data/train.csv': 'a,b\n1,2\n',
      'data/.cache/x': 'hidden',
      '.env': 'SECRET=1',
      '.git/config': '[core]',
      'node_modules/pkg/index.js': 'module.exports = 1;',
      'data/node_modules/x.js': '1',
    });
    const outside = await tempDir();
    await writeTree(outside, { 'big.bin': 'x'.repeat(100), 'nested/y': 'y' });
    await symlink(outside, join(dir, 'linked-dir'), 'dir');
    await symlink(join(outside, 'big.bin'), join(dir, 'linked-file.bin'));
    return dir;
  }

  it('is empty when no step runs in or reads from the directory', async () => {
    const dir = await project();
    const fnOnly = parsePipeline({ name: 'f', steps: [{ name: 'a', kind: 'fn', module: './a.ts' }] });
    expect(await snapshotFiles(fnOnly, join(dir, 'pipeline.yaml'))).toEqual({});
  });

  it('lists regular files, skipping node_modules, dot entries and linked directories', async () => {
    const dir = await project();
    const files = await snapshotFiles(withCommand, join(dir, 'pipeline.yaml'));
    expect(files).toEqual({
      'data/train.csv': { path: join(dir, 'data/train.csv'), size: 8 },
      'linked-file.bin': { path: join(dir, 'linked-file.bin'), size: 100 },
      'pipeline.yaml': { path: join(dir, 'pipeline.yaml'), size: 8 },
      'score.py': { path: join(dir, 'score.py'), size: 9 },
    });
    const push = parsePipeline({
      name: 'p',
      steps: [{ name: 'push', kind: 'dataset.push', inputs: { name: 'd', file: 'data/train.csv' } }],
    });
    expect(Object.keys(await snapshotFiles(push, join(dir, 'pipeline.yaml')))).toHaveLength(4);
  });

  it('refuses a directory over the file-count or byte limit', async () => {
    const dir = await project();
    const byCount = await rejection(snapshotFiles(withCommand, join(dir, 'pipeline.yaml'), { maxFiles: 3 }));
    expect(byCount.details.field).toBe('file');
    expect(byCount.message).toContain(`pipeline directory ${dir} is too large to ship`);
    expect(byCount.message).toContain('more than 3 files, over the limit of 3 files');
    expect(byCount.message).toContain('into a directory of their own');

    const byBytes = await rejection(snapshotFiles(withCommand, join(dir, 'pipeline.yaml'), { maxBytes: 50 }));
    expect(byBytes.message).toMatch(/at least 10[0-9] bytes, over the limit of 50 bytes/);
  });
});

describe('the apply package', () => {
  async function blobStore(): Promise<BlobStore> {
    const home = await tempDir();
    return openBlobStore(
      { kind: 'file', path: join(home, 'blobs') },
      { home, s3: { region: 'us-east-1', forcePathStyle: true } },
    );
  }

  it('round-trips spec, bundles and files into the blob store', async () => {
    const dir = await tempDir();
    await writeTree(dir, {
      'pipeline.yaml': 'name: r\n',
      'score.py': 'print("score")\n',
      'data/big.csv': 'row\n'.repeat(50_000),
      'steps/a.ts': 'export default () => 1; export const b = 2;\n',
    });
    const pipeline = parsePipeline({
      name: 'r',
      steps: [
        { name: 'a', kind: 'fn', module: './steps/a.ts' },
        { name: 'b', kind: 'fn', module: './steps/a.ts', export: 'b' },
        { name: 'c', kind: 'command', argv: ['python3', 'score.py'] },
      ],
    });
    const file = join(dir, 'pipeline.yaml');
    const bundles = await bundleFnSteps(pipeline, file);
    const files = await snapshotFiles(pipeline, file);
    const spec = toPipelineSpec(pipeline);

    const blobs = await blobStore();
    const applied = await readApplyPackage(writeApplyPackage({ spec, source: file, bundles, files }), blobs, {
      maxBytes: 10 * 1024 * 1024,
    });
    expect(applied.source).toBe('pipeline.yaml');
    expect(parsePipeline(applied.spec)).toEqual(pipeline);
    expect(applied.bundles.a).toEqual({
      module: './steps/a.ts',
      export: 'default',
      exports: ['b', 'default'],
      digest: sha256(bundles.a!.code),
      size: bundles.a!.code.byteLength,
    });
    expect(applied.bundles.b!.digest).toBe(applied.bundles.a!.digest);
    expect(Object.keys(applied.files).sort()).toEqual([
      'data/big.csv',
      'pipeline.yaml',
      'score.py',
      'steps/a.ts',
    ]);
    for (const [relative, stored] of Object.entries(applied.files)) {
      const bytes = await readFile(join(dir, relative));
      expect(stored).toEqual({ digest: sha256(bytes), size: bytes.byteLength });
      const chunks: Buffer[] = [];
      for await (const chunk of await blobs.get(stored.digest)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    }
  });

  it('fails the stream when a file changed size after the snapshot', async () => {
    const dir = await tempDir();
    await writeTree(dir, { 'score.py': 'print(1)\n' });
    const body = writeApplyPackage({
      spec: { name: 'x', steps: [{ name: 'c', kind: 'command', argv: ['true'] }] },
      source: 'pipeline.yaml',
      bundles: {},
      files: { 'score.py': { path: join(dir, 'score.py'), size: 3 } },
    });
    const error = await rejection(readApplyPackage(body, await blobStore(), { maxBytes: 1000 }));
    expect(error.details.field).toBe('file');
    expect(error.message).toContain(`${join(dir, 'score.py')} changed while it was being packaged`);
  });

  type RawEntry = { name: string; body?: string; type?: 'file' | 'directory' | 'symlink' };

  /** A tar with exactly these entries, however wrong. */
  async function rawTar(entries: readonly RawEntry[]): Promise<Readable> {
    const pack = tar.pack();
    for (const { name, body = '', type = 'file' } of entries)
      await new Promise<void>((resolve, reject) => {
        const header =
          type === 'symlink' ? { name, type, linkname: '/etc/passwd' } : { name, type, size: body.length };
        const done = (error?: Error | null) => (error ? reject(error) : resolve());
        if (type === 'file') pack.entry(header, body, done);
        else pack.entry({ ...header, size: 0 }, done); // no body: the entry ends itself
      });
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    return Readable.from([Buffer.concat(chunks)]);
  }

  const manifest = (bundles: Record<string, unknown> = {}, spec: unknown = { name: 'x', steps: [] }) =>
    JSON.stringify({ spec, source: 'pipeline.yaml', bundles });
  const listed = { a: { module: './a.ts', export: 'default', exports: ['default'] } };

  const rejections: [string, () => Promise<Readable>, RegExp, string | undefined][] = [
    ['an empty tar', () => rawTar([]), /empty: no pipeline\.json/, undefined],
    [
      'pipeline.json not first',
      () =>
        rawTar([
          { name: 'files/a', body: 'a' },
          { name: 'pipeline.json', body: manifest() },
        ]),
      /first entry is 'files\/a', not pipeline\.json/,
      'files/a',
    ],
    [
      'unparseable pipeline.json',
      () => rawTar([{ name: 'pipeline.json', body: '{ nope' }]),
      /pipeline\.json is not JSON/,
      'pipeline.json',
    ],
    [
      'a spec that is not an object',
      () => rawTar([{ name: 'pipeline.json', body: manifest({}, ['steps']) }]),
      /spec must be an object/,
      'pipeline.json',
    ],
    [
      'malformed bundles in pipeline.json',
      () => rawTar([{ name: 'pipeline.json', body: manifest({ a: { module: 1 } }) }]),
      /bundles\.a must have a module, an export and a list of exports/,
      'pipeline.json',
    ],
    [
      'path traversal',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest() },
          { name: 'files/data/../../../etc/x', body: 'x' },
        ]),
      /unknown entry 'files\/data\/\.\.\/\.\.\/\.\.\/etc\/x'/,
      'files/data/../../../etc/x',
    ],
    [
      'an absolute path',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest() },
          { name: '/etc/passwd', body: 'x' },
        ]),
      /unknown entry '\/etc\/passwd'/,
      '/etc/passwd',
    ],
    [
      'an unknown entry name',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest() },
          { name: 'scripts/run.sh', body: 'x' },
        ]),
      /unknown entry 'scripts\/run\.sh'/,
      'scripts/run.sh',
    ],
    [
      'a symbolic link',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest() },
          { name: 'files/link', type: 'symlink' },
        ]),
      /entry 'files\/link' is a symlink, not a file/,
      'files/link',
    ],
    [
      'a directory entry',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest() },
          { name: 'files/data/', type: 'directory' },
        ]),
      /is a directory, not a file/,
      'files/data/',
    ],
    [
      'a duplicate file',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest() },
          { name: 'files/a', body: 'a' },
          { name: 'files/a', body: 'b' },
        ]),
      /duplicate entry 'files\/a'/,
      'files/a',
    ],
    [
      'a second pipeline.json',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest() },
          { name: 'pipeline.json', body: manifest() },
        ]),
      /duplicate entry 'pipeline\.json'/,
      'pipeline.json',
    ],
    [
      'a bundle not listed',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest() },
          { name: 'bundles/a.mjs', body: 'x' },
        ]),
      /bundle for step 'a', which pipeline\.json does not list/,
      'bundles/a.mjs',
    ],
    [
      'a listed bundle missing',
      () => rawTar([{ name: 'pipeline.json', body: manifest(listed) }]),
      /lists bundles that the package does not hold: bundles\/a\.mjs/,
      'bundles/a.mjs',
    ],
    [
      'a duplicate bundle',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest(listed) },
          { name: 'bundles/a.mjs', body: 'x' },
          { name: 'bundles/a.mjs', body: 'y' },
        ]),
      /duplicate entry 'bundles\/a\.mjs'/,
      'bundles/a.mjs',
    ],
    [
      'a package over the size limit',
      () =>
        rawTar([
          { name: 'pipeline.json', body: manifest() },
          { name: 'files/big', body: 'x'.repeat(2000) },
        ]),
      /larger than the 1000-byte limit/,
      'files/big',
    ],
    [
      'a body that is not a tar',
      async () => Readable.from([Buffer.from('this is not a tar archive\n'.repeat(100))]),
      /not a tar archive/,
      undefined,
    ],
  ];

  it.each(rejections)('refuses %s', async (_, body, message, entry) => {
    const error = await rejection(readApplyPackage(await body(), await blobStore(), { maxBytes: 1000 }));
    expect(error.details.field).toBe('package');
    expect(error.message).toMatch(message);
    expect(error.details.entry).toBe(entry);
  });
});

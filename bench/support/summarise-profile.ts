/**
 * Summarises a V8 .cpuprofile (from `--profile <dir>` or `node --cpu-prof`): the functions with the
 * most self time, and the time spent under each package or source folder.
 *
 *   node --import tsx bench/support/summarise-profile.ts <file.cpuprofile> [top=30]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, topText = '30'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: summarise-profile.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const selfMicros = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (micros === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/');
  const name = `${functionName || '(anonymous)'} ${where.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  byArea.set(area(where, functionName), (byArea.get(area(where, functionName)) ?? 0) + micros);
}

function area(where: string, functionName: string): string {
  if (where === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (pkg) return pkg[1]!;
  if (where.startsWith('node:')) return 'node:internals';
  const src = /\/(src|bench|test)\/(.*)\/[^/]+$/.exec(where);
  return src ? `${src[1]}/${src[2]}` : where;
}

const print = (title: string, entries: Map<string, number>, top: number) => {
  console.log(`\n${title} (total ${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1e3).toFixed(0).padStart(7)} ms  ${name}`,
    );
  }
};
print('self time by area', byArea, 25);
print('self time by function', byFunction, Number(topText));

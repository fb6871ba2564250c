/**
 * A real Slipway server in a child process, so the benchmark client and the server each get a core
 * as in a real deployment. It runs the built CLI (dist/) when that is at least as new as every source
 * file, else the sources through tsx: tsx transpiles once at start-up, before anything is timed, so
 * the two run the same code at the same speed afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface ServerProcess {
  readonly url: string;
  /** How the server was started: 'dist' or 'tsx'. */
  readonly from: 'dist' | 'tsx';
  /** CPU time (user + system) the server has used so far, in seconds; undefined off Linux. */
  cpuSeconds(): number | undefined;
  /** SIGTERM, then waits for the graceful exit (which also writes a --cpu-prof profile). */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  readonly root: string;
  readonly home: string;
  /** Write a V8 CPU profile of the server here (node --cpu-prof). */
  readonly cpuProfileDir?: string;
  /** Measurement only: run SQLite with synchronous=NORMAL to show what FULL costs. */
  readonly relaxedSync?: boolean;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const from = distIsFresh(options.root) ? 'dist' : 'tsx';
  const script = from === 'dist' ? 'dist/cli/bin.js' : 'src/cli/bin.ts';
  const profile =
    options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
  const relaxed = options.relaxedSync === true ? ['--import', './bench/support/relaxed-sync.ts'] : [];
  const tsx = from === 'tsx' || relaxed.length > 0 ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...profile, ...tsx, ...relaxed, script, 'server'], {
    cwd: options.root,
    env: {
      PATH: process.env.PATH ?? '',
      SLIPWAY_HOME: options.home,
      SLIPWAY_PORT: '0',
      SLIPWAY_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The server's log (one JSON line per request) and notes, kept beside the database for inspection.
  const log = createWriteStream(join(options.home, 'server.log'));
  child.stdout!.pipe(log, { end: false });
  const url = await listeningUrl(child, log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    from,
    cpuSeconds: () => processCpuSeconds(child.pid),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      log.end();
    },
  };
}

function listeningUrl(child: ChildProcess, log: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        child.stderr!.off('data', onData);
        child.stderr!.pipe(log, { end: false });
        resolve(match[1]!);
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${code} before listening:\n${stderr}`)),
    );
  });
}

/** True when dist/ holds a .js for every source .ts, none older than its source. */
function distIsFresh(root: string): boolean {
  const src = join(root, 'src');
  for (const file of walk(src)) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
    const built = join(root, 'dist', relative(src, file).replace(/\.ts$/, '.js'));
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(file).mtimeMs) return false;
  }
  return true;
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

// Clock ticks per second of /proc/<pid>/stat times: 100 on every mainstream Linux configuration.
const CLOCK_TICKS = 100;

function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

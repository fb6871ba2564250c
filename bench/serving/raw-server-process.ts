/** Starts raw-server.ts as a child process and stops it; reports its CPU time like ServerProcess does. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RawServerProcess {
  readonly url: string;
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

export async function startRawServer(
  root: string,
  modelPath: string,
  session: 'slipway' | 'default',
): Promise<RawServerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench/serving/raw-server.ts'), modelPath, session],
    { cwd: root, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`raw server exited with ${code}:\n${stderr}`)));
  });
  return {
    url,
    cpuSeconds: () => processCpuSeconds(child.pid),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// As in bench/support/server-process.ts: utime + stime from /proc/<pid>/stat at 100 ticks a second.
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

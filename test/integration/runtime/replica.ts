import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));

/** The real entry point in its own process, as the Deployment runs it; its JSON log lines are kept. */
export interface Replica {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

export function spawnReplica(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Replica {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, logs, exited };
}

export const identityOf = (r: Replica): unknown => r.logs.find((l) => l.msg === 'operator started')?.identity;

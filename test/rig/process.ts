import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RigError } from './errors.js';

/*
 * Each rig process runs in its own process group under a small bash guard. The guard exits, and
 * takes its command with it, as soon as the Node process that started it is gone — even when that
 * process was killed with SIGKILL and had no chance to clean up — so an interrupted test run never
 * leaves etcd, kube-apiserver or moto behind.
 */
const GUARD = `
parent=$1; shift
"$@" &
child=$!
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
if kill -0 "$child" 2>/dev/null; then
  kill -TERM "$child"; sleep 5; kill -KILL "$child" 2>/dev/null
fi
wait "$child"
`;

const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const group of liveGroups) killGroup(group, 'SIGKILL');
});

function killGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // already gone
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

export interface ManagedProcess {
  readonly name: string;
  /** Settles when the command exits, with a message naming how. */
  readonly exited: Promise<string>;
  isRunning(): boolean;
  /** The last lines the process printed, for error messages. */
  recentOutput(): string;
  /** SIGTERM, then SIGKILL after the grace period; resolves once every process of the group is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The process writes to this process's terminal instead (its log file and recentOutput stay empty). */
  inheritOutput?: boolean;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  options: StartOptions = {},
): ManagedProcess {
  const child = spawn('bash', ['-c', GUARD, 'guard', String(process.pid), command, ...args], {
    detached: true,
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.inheritOutput ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  const group = child.pid;
  if (group === undefined) throw new RigError(`cannot start ${name} (${command})`);
  liveGroups.add(group);

  const log = createWriteStream(logFile, { flags: 'a' });
  let recent = '';
  const collect = (chunk: Buffer): void => {
    log.write(chunk);
    recent = (recent + chunk.toString()).slice(-6000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let running = true;
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => {
      running = false;
      resolve(signal ? `${name} was killed by ${signal}` : `${name} exited with code ${code}`);
    });
  });

  return {
    name,
    exited,
    isRunning: () => running,
    recentOutput: () => recent,
    async stop(graceMs = 10_000) {
      killGroup(group, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupAlive(group) && Date.now() < deadline) await sleep(50);
      if (groupAlive(group)) killGroup(group, 'SIGKILL');
      while (groupAlive(group)) await sleep(20);
      liveGroups.delete(group);
      log.end();
    },
  };
}

/**
 * Polls `ready` until it returns true, failing at the deadline or as soon as the process exits,
 * with the process's last output in the message.
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  hint: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: string | undefined;
  void proc.exited.then((why) => (exitedWith = why));
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new RigError(
        `${exitedWith} before it was ready. ${hint}\n--- last output ---\n${proc.recentOutput()}`,
      );
    }
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  throw new RigError(
    `${proc.name} was not ready within ${timeoutMs / 1000} s. ${hint}\n--- last output ---\n${proc.recentOutput()}`,
  );
}

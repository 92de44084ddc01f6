import { spawn } from 'node:child_process';
import { ensureKubectl } from '../../rig/binaries.js';

export interface KubectlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A kubectl command started in the background (`kubectl wait`): whether it ended, and how. */
export interface RunningKubectl {
  readonly result: Promise<KubectlResult>;
  ended(): boolean;
}

/**
 * Starts the rig's kubectl, the real binary users type, with the rig's admin kubeconfig in
 * `namespace`; paths are relative to the repository's root.
 */
export async function startKubectl(namespace: string, args: readonly string[]): Promise<RunningKubectl> {
  const binary = await ensureKubectl();
  const child = spawn(binary, ['--namespace', namespace, ...args], {
    cwd: new URL('../../../', import.meta.url),
    env: { ...process.env, KUBECONFIG: process.env.KUBECONFIG ?? '' },
  });
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<KubectlResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      ended = true;
      resolve({ code, stdout, stderr });
    });
  });
  return { result, ended: () => ended };
}

/** Runs kubectl to its end; fails with its output unless it exits 0. */
export async function kubectl(namespace: string, args: readonly string[]): Promise<string> {
  const { code, stdout, stderr } = await (await startKubectl(namespace, args)).result;
  if (code !== 0)
    throw new Error(`kubectl ${args.join(' ')} exited with ${String(code)}:\n${stderr}${stdout}`);
  return stdout;
}

import { spawn } from 'node:child_process';
import { RigError } from './errors.js';

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** Runs a command to completion, killing it at the deadline; resolves to stdout. */
export function exec(command: string, args: string[], options: ExecOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new RigError(`cannot run ${command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else {
        const why = signal ? `was killed (${signal}) after ${options.timeoutMs} ms` : `exited with ${code}`;
        reject(new RigError(`${command} ${args.join(' ')} ${why}:\n${stderr.slice(-4000)}`));
      }
    });
  });
}

/** Whether a command is on PATH. */
export async function haveCommand(command: string): Promise<boolean> {
  try {
    await exec('sh', ['-c', `command -v ${command}`], { timeoutMs: 5000 });
    return true;
  } catch {
    return false;
  }
}

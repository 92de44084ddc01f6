import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { s3Endpoint } from '../support/cluster.js';

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

/**
 * The operator process against one SageMaker endpoint (an emulator), watching one namespace, with
 * dummy credentials and loopback-only metrics and health ports; `flags` add to or refine these.
 */
export function spawnOperator(
  sagemakerEndpoint: string,
  namespace: string,
  flags: readonly string[],
): Replica {
  return spawnReplica(
    [
      '--region=us-east-1',
      `--sagemaker-endpoint=${sagemakerEndpoint}`,
      `--s3-endpoint=${s3Endpoint()}`,
      `--sts-endpoint=${s3Endpoint()}`,
      `--namespaces=${namespace}`,
      '--metrics-addr=127.0.0.1:0',
      '--health-addr=127.0.0.1:0',
      '--max-api-rate=1000',
      ...flags,
    ],
    { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  );
}

export const identityOf = (r: Replica): unknown => r.logs.find((l) => l.msg === 'operator started')?.identity;

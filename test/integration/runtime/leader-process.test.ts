import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { createTestNamespace } from '../support/cluster.js';
import { identityOf, spawnReplica, type Replica } from './replica.js';
import { kubeConfigFrom, waitFor } from './support.js';

const kc = kubeConfigFrom(process.env.KUBECONFIG);
const children: ChildProcess[] = [];
let namespace: string;

/** Runs the real entry point, as the Deployment would, with leader election on. */
function replica(): Replica {
  const started = spawnReplica([
    '--leader-elect',
    `--leader-election-namespace=${namespace}`,
    '--leader-election-id=operator-lease',
    '--region=us-east-1',
    '--metrics-addr=127.0.0.1:0',
    '--health-addr=127.0.0.1:0',
    `--namespaces=${namespace}`,
    '--log-level=debug',
  ]);
  children.push(started.child);
  return started;
}

const holder = async (): Promise<string | undefined> =>
  (await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'operator-lease', namespace })).spec
    ?.holderIdentity;

beforeAll(async () => {
  namespace = await createTestNamespace(kc, 'runtime-leader');
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('leader hand-over between two operator processes', () => {
  it('the standby takes over within seconds when the leader shuts down gracefully', async () => {
    const first = replica();
    await waitFor(() => identityOf(first), 30_000, 'first replica to start');
    await waitFor(async () => (await holder()) === identityOf(first), 20_000, 'first replica to lead');
    const second = replica();
    await waitFor(() => identityOf(second), 30_000, 'second replica to start');
    await new Promise((resolve) => setTimeout(resolve, 2500)); // a few retry periods as standby
    expect(await holder()).toBe(identityOf(first));

    const handOver = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['released leadership', 'stopped']));
    await waitFor(async () => (await holder()) === identityOf(second), 10_000, 'second replica to lead');
    // The lease lasts 15 s; a released lease is taken at the standby's next 2 s retry.
    expect(Date.now() - handOver).toBeLessThan(6000);
    await waitFor(() => second.logs.some((l) => l.msg === 'became leader'), 5000, 'the log line');

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await holder()).toBe('');
  }, 90_000);
});

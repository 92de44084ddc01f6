import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { TrainingJobSpec } from '../../../src/crds/training-job.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { role, startHarness, type Harness } from '../../emulator/test-harness.js';
import { createTestNamespace, customObjects } from '../support/cluster.js';
import { identityOf, spawnOperator, type Replica } from './replica.js';
import { kubeConfigFrom, waitFor } from './support.js';

/*
 * A leader that is paused (SIGSTOP) past its lease and then resumed must not call SageMaker at all:
 * by then the standby leads. Each replica talks to its own emulator, so every call the first
 * emulator receives after the resume is the paused leader's.
 */
const kc = kubeConfigFrom(process.env.KUBECONFIG);
const LEASE = 'operator-lease';
const children: ChildProcess[] = [];
let namespace: string;
let first: Harness;
let second: Harness;

function replica(cloud: Harness): Replica {
  const started = spawnOperator(cloud.emulator.endpoint, namespace, [
    '--leader-elect',
    `--leader-election-namespace=${namespace}`,
    `--leader-election-id=${LEASE}`,
    '--poll-interval-min=100ms',
    '--poll-interval-max=300ms',
    '--sweep-interval=100ms',
    '--log-level=debug',
  ]);
  children.push(started.child);
  return started;
}

const holder = async (): Promise<string | undefined> =>
  (await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: LEASE, namespace })).spec
    ?.holderIdentity;

async function createJob(name: string): Promise<void> {
  const spec: TrainingJobSpec = {
    roleArn: role,
    algorithmSpecification: { trainingImage: 'img:1', trainingInputMode: 'File' },
    outputDataConfig: { s3OutputPath: `s3://${first.bucket}/output` },
    resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
  };
  await customObjects(kc).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: 'trainingjobs',
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'TrainingJob', metadata: { name, namespace }, spec },
  });
}

beforeAll(async () => {
  namespace = await createTestNamespace(kc, 'leader-fence');
  [first, second] = await Promise.all([startHarness(), startHarness()]);
  // Jobs keep training, so the leader keeps sweeping for their changes right up to the pause.
  await first.emulator.control.configure({ timings: { trainingTraining: 10_000_000 } });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all([first.stop(), second.stop()]);
});

describe('a leader paused past its lease', () => {
  it('makes no SageMaker call after it resumes', async () => {
    const leader = replica(first);
    await waitFor(async () => (await holder()) === identityOf(leader), 30_000, 'the first replica to lead');
    const standby = replica(second);
    await waitFor(() => identityOf(standby), 30_000, 'the standby to start');

    for (const i of [1, 2, 3, 4]) await createJob(`busy-${String(i)}`);
    await waitFor(
      async () => (await first.emulator.control.calls({ operation: 'CreateTrainingJob' })).calls.length === 4,
      30_000,
      'the leader to create the jobs',
    );
    // Paused while it sweeps for the running jobs' changes: a sweep is due the moment it wakes up.
    await waitFor(
      async () =>
        (await first.emulator.control.calls({ operation: 'ListTrainingJobs' })).calls.filter(
          (c) => c.outcome === 'ok',
        ).length >= 12,
      30_000,
      'the leader to sweep',
    );

    leader.child.kill('SIGSTOP');
    await waitFor(async () => (await holder()) === identityOf(standby), 40_000, 'the standby to lead');
    // Work that lands while the leader sleeps: its watch delivers it the moment it wakes up.
    for (const i of [1, 2, 3, 4]) await createJob(`late-${String(i)}`);
    await waitFor(
      async () =>
        (await second.emulator.control.calls({ operation: 'CreateTrainingJob' })).calls.length === 4,
      30_000,
      'the new leader to create the late jobs',
    );

    const resumed = Date.now();
    leader.child.kill('SIGCONT');
    await waitFor(
      () => leader.logs.some((l) => l.msg === 'lost leadership, stopping all controllers'),
      20_000,
      'the old leader to notice',
    );
    // The fence was revoked before that line: whatever was to go out after the resume has gone out.
    const { calls } = await first.emulator.control.calls();
    expect(calls.filter((c) => c.time >= resumed)).toEqual([]);
    expect(await holder()).toBe(identityOf(standby));
  }, 150_000);
});

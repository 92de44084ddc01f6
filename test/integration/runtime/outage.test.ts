import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { OperatorHarness, TEST_TIMINGS } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';
import { proxiedKubeConfig, type FaultyProxy } from './proxy.js';

/*
 * The apiserver goes away for 20 s while training jobs change state: every status write fails. The
 * operator must not call SageMaker in a tight loop because a write failed: its sweeps go on at the
 * same rate, and the reconciles whose status cannot be written are retried with a doubling delay
 * (a few describes per job for the whole outage). It writes what it saw once the apiserver is back.
 */
const PLURAL = 'trainingjobs';
const JOBS = 6;
const BASELINE_MS = 4_000;
const OUTAGE_MS = 20_000;

let h: OperatorHarness;
let proxy: FaultyProxy;

beforeAll(async () => {
  h = await OperatorHarness.start('outage');
  // Training lasts 12 s: the jobs are in Training during the baseline and finish during the outage.
  await h.cloud.emulator.control.configure({ timings: { trainingTraining: 12_000 } });
  const proxied = await proxiedKubeConfig(h.kc);
  proxy = proxied.proxy;
  await h.stopOperator();
  await h.startOperator(600_000, proxied.kc);
});
afterAll(async () => {
  proxy.refuse(false);
  await h.stop();
  await proxy.stop();
});

const names = Array.from({ length: JOBS }, (_, i) => `job-${String(i)}`);

async function callsBetween(from: number, to: number, operation: string): Promise<number> {
  const { calls } = await h.cloud.emulator.control.calls({ operation });
  return calls.filter((c) => c.time >= from && c.time < to).length;
}

/** Retries doubling from the poll interval: how many fit in the outage, plus the first describe. */
const MAX_DESCRIBES_PER_JOB = Math.ceil(Math.log2(OUTAGE_MS / TEST_TIMINGS.pollIntervalMaxMs)) + 2;

describe('an apiserver outage', () => {
  it('sweeps at the same rate, retries describes with a doubling delay, and status catches up afterwards', async () => {
    for (const name of names) await h.create(PLURAL, 'TrainingJob', name, trainingJobSpec(h));
    for (const name of names)
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        name,
        (o) => o?.status?.secondaryStatus === 'Training',
      );

    const baselineStart = Date.now();
    await sleep(BASELINE_MS); // a measurement window, not a synchronisation
    const outageStart = Date.now();
    proxy.refuse(true);
    await sleep(OUTAGE_MS);
    const outageEnd = Date.now();
    // The jobs changed state while no status could be written: that is what used to loop.
    for (const name of names) {
      const job = await h.cloud.sagemaker.send(
        new DescribeTrainingJobCommand({ TrainingJobName: `${h.namespace}-${name}` }),
      );
      expect(job.TrainingJobStatus).toBe('Completed');
    }
    proxy.refuse(false);

    const sweepRate = async (from: number, to: number) =>
      (await callsBetween(from, to, 'ListTrainingJobs')) / ((to - from) / 1000);
    const baselineSweeps = await sweepRate(baselineStart, outageStart);
    expect(baselineSweeps).toBeGreaterThan(0);
    // Sweeps are periodic: the same rate, give or take a tick.
    expect(await sweepRate(outageStart, outageEnd)).toBeLessThanOrEqual(baselineSweeps * 1.1);
    const describes = await callsBetween(outageStart, outageEnd, 'DescribeTrainingJob');
    expect(describes).toBeGreaterThanOrEqual(JOBS);
    expect(describes).toBeLessThanOrEqual(JOBS * MAX_DESCRIBES_PER_JOB);

    for (const name of names)
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        name,
        (o) => o?.status?.trainingJobStatus === 'Completed',
      );
  });
});

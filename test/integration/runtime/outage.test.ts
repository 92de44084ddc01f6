import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { OperatorHarness } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';
import { proxiedKubeConfig, type FaultyProxy } from './proxy.js';

/*
 * The apiserver goes away for 20 s while training jobs change state: every status write fails. The
 * operator must keep calling SageMaker no faster than before the outage (no reconcile re-run in a
 * tight loop because a write failed), and write what it saw once the apiserver is back.
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

async function callsBetween(from: number, to: number): Promise<number> {
  const { calls } = await h.cloud.emulator.control.calls();
  return calls.filter((c) => c.time >= from && c.time < to).length;
}

describe('an apiserver outage', () => {
  it('does not raise the SageMaker call rate, and status catches up afterwards', async () => {
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

    const baselineRate = (await callsBetween(baselineStart, outageStart)) / (BASELINE_MS / 1000);
    const outageRate = (await callsBetween(outageStart, outageEnd)) / (OUTAGE_MS / 1000);
    expect(baselineRate).toBeGreaterThan(0);
    expect(outageRate).toBeLessThanOrEqual(baselineRate);

    for (const name of names)
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        name,
        (o) => o?.status?.trainingJobStatus === 'Completed',
      );
  });
});

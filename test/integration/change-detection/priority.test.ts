/*
 * Change detection under load: when the region's request budget is spent on creating a
 * burst of new objects, the news about a running one (its sweep, the reconcile it triggers) is
 * served first, instead of waiting behind every create already in line.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { OperatorHarness } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';

const PLURAL = 'trainingjobs';
/** As many workers as new jobs: each waits in the rate limiter's line at once, as in production. */
const NEW_JOBS = 64;
const MAX_API_RATE = 10;
let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('priority');
  await h.cloud.emulator.control.configure({ timings: { trainingTraining: 10_000_000 } });
});
afterAll(async () => {
  await h.stop();
});

async function createsSince(time: number): Promise<number> {
  const { calls } = await h.cloud.emulator.control.calls({ operation: 'CreateTrainingJob' });
  return calls.filter((c) => c.time >= time && c.outcome === 'ok').length;
}

describe('calls for a change go before creates', () => {
  it("shows a running job's change while a burst of creates still waits for the rate limit", async () => {
    await h.create(PLURAL, 'TrainingJob', 'running', trainingJobSpec(h));
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'running',
      (o) => o?.status?.secondaryStatus === 'Training',
    );
    h.limits = { maxApiRate: MAX_API_RATE, concurrency: NEW_JOBS, timings: { sweepIntervalMs: 1_000 } };
    await h.restartOperator();

    for (let i = 0; i < NEW_JOBS; i++)
      await h.create(PLURAL, 'TrainingJob', `new-${String(i)}`, trainingJobSpec(h));
    // Every worker holds a new job and waits in the limiter's line: a describe and a create each.
    await h.waitFor(PLURAL, 'new-0', (o) => o?.status !== undefined);
    const since = Date.now();
    await h.cloud.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: `${h.namespace}-running` }));
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'running',
      (o) => o?.status?.trainingJobStatus === 'Stopped',
      30_000,
    );
    const createdMeanwhile = await createsSince(since);
    /*
     * Served in arrival order, the sweep's List and the describe of the stopped job would each wait
     * behind the ~60 calls of the new jobs already in line (6 s at 10/s, 30 creates or so). Served
     * first, they wait for the next sweep (1 s) and a token: a few creates at most.
     */
    expect(createdMeanwhile).toBeLessThanOrEqual(8);
    // The burst was still under way: not every new job had been created.
    expect(await createsSince(0)).toBeLessThan(NEW_JOBS);
  });
});

/*
 * The operator's clock and SageMaker's differ: sweeps compare SageMaker's times with
 * SageMaker's times, so no change is lost either way. Each case starts an operator against a
 * SageMaker whose clock was off from the start, as a real clock difference is.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { OperatorHarness } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';

const PLURAL = 'trainingjobs';
let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('skew');
});
afterAll(async () => {
  await h.stop();
});

describe('a clock difference between the operator and SageMaker', () => {
  it.each([
    ['behind', -1800],
    ['ahead of', 1800],
  ])(
    'loses no change while SageMaker’s clock runs half an hour %s the operator’s',
    async (direction, offset) => {
      await h.stopOperator();
      await h.cloud.emulator.control.configure({
        clockOffsetSeconds: offset,
        timings: { trainingTraining: 2_000 },
      });
      await h.startOperator();
      const name = `skew-${direction.split(' ')[0] ?? ''}`;
      const since = Date.now();
      await h.create(PLURAL, 'TrainingJob', name, trainingJobSpec(h));
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        name,
        (o) => o?.status?.trainingJobStatus === 'Completed',
      );
      const { calls } = await h.cloud.emulator.control.calls({ resource: `${h.namespace}-${name}` });
      const describes = calls.filter((c) => c.operation === 'DescribeTrainingJob' && c.time >= since);
      // Found by the sweeps, each change described once: not by the safety describe, ten minutes away.
      expect(describes.length).toBeGreaterThanOrEqual(2);
      expect(describes.length).toBeLessThanOrEqual(8);
      const { calls: sweeps } = await h.cloud.emulator.control.calls({ operation: 'ListTrainingJobs' });
      expect(sweeps.filter((c) => c.time >= since && c.outcome === 'ok').length).toBeGreaterThan(0);
    },
  );
});

import { describe, expect, it } from '@jest/globals';
import {
  deletingCondition,
  deletionStep,
  isFinished,
  jobConditions,
  nextPollMs,
  type JobView,
} from '../../../../src/controllers/common/job-states.js';

const job = (state: string | undefined, more: Partial<JobView> = {}): JobView => ({
  name: 'ns-churn',
  arn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/ns-churn',
  state,
  stateSince: undefined,
  ...more,
});

describe('jobConditions', () => {
  it('is Ready and Succeeded once Completed', () => {
    const { ready, succeeded } = jobConditions('training job', job('Completed'));
    expect(ready).toEqual({
      status: 'True',
      reason: 'Completed',
      message: 'training job ns-churn is Completed',
    });
    expect(succeeded).toEqual(ready);
  });

  it("carries SageMaker's failure reason when Failed", () => {
    const { ready, succeeded } = jobConditions('processing job', job('Failed', { failureReason: 'OOM' }));
    expect(ready).toEqual({ status: 'False', reason: 'Failed', message: 'OOM' });
    expect(succeeded).toEqual(ready);
  });

  it('is Succeeded=False when Stopped', () => {
    expect(jobConditions('training job', job('Stopped')).succeeded).toMatchObject({
      status: 'False',
      reason: 'Stopped',
    });
  });

  it('is Succeeded=Unknown while running, showing the finer state when it says more', () => {
    const { ready, succeeded } = jobConditions('training job', job('InProgress', { detail: 'Downloading' }));
    expect(ready).toEqual({
      status: 'False',
      reason: 'InProgress',
      message: 'training job ns-churn is InProgress (Downloading)',
    });
    expect(succeeded).toMatchObject({ status: 'Unknown', reason: 'InProgress' });
    expect(jobConditions('training job', job('Stopping', { detail: 'Stopping' })).ready.message).toBe(
      'training job ns-churn is Stopping',
    );
  });
});

describe('isFinished', () => {
  it.each([
    ['Completed', true],
    ['Failed', true],
    ['Stopped', true],
    ['InProgress', false],
    ['Stopping', false],
    [undefined, false],
  ])('%s → %s', (state, finished) => {
    expect(isFinished(job(state))).toBe(finished);
  });
});

describe('nextPollMs', () => {
  const polling = { minMs: 1_000, maxMs: 60_000, finishedMs: 3_600_000 };
  const now = new Date('2026-01-01T00:10:00Z');

  it('waits as long as the state has lasted, within the bounds', () => {
    expect(
      nextPollMs(job('InProgress', { stateSince: new Date('2026-01-01T00:09:50Z') }), now, polling),
    ).toBe(10_000);
    expect(
      nextPollMs(job('InProgress', { stateSince: new Date('2026-01-01T00:00:00Z') }), now, polling),
    ).toBe(60_000);
    expect(nextPollMs(job('InProgress'), now, polling)).toBe(1_000);
  });
});

describe('deleting a job', () => {
  it('stops a running job, deletes a finished one and waits for anything else', () => {
    expect(deletionStep(job('InProgress'))).toBe('stop');
    for (const state of ['Completed', 'Failed', 'Stopped']) expect(deletionStep(job(state))).toBe('delete');
    for (const state of ['Stopping', 'Deleting']) expect(deletionStep(job(state))).toBe('wait');
  });

  it('says with Ready=False Deleting what the delete does or waits for', () => {
    expect(deletingCondition('training job', job('InProgress'), 'stop')).toEqual({
      status: 'False',
      reason: 'Deleting',
      message: 'stopping training job ns-churn before deleting it',
    });
    expect(deletingCondition('training job', job('Stopping'), 'wait').message).toBe(
      'deleting training job ns-churn: waiting while it is Stopping',
    );
    expect(deletingCondition('training job', job('Completed'), 'delete').message).toBe(
      'deleting training job ns-churn',
    );
  });

  it('does not promise to delete a job whose record SageMaker keeps', () => {
    expect(deletingCondition('transform job', job('InProgress'), 'stop', true).message).toBe(
      'stopping transform job ns-churn',
    );
    expect(deletingCondition('transform job', job('Stopping'), 'wait', true).message).toBe(
      'waiting while transform job ns-churn is Stopping',
    );
  });
});

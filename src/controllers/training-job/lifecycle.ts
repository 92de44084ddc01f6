import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import type { ConditionValue } from '../common/conditions.js';
import { pollDelay, type PollingSettings } from '../common/polling.js';

export interface JobConditions {
  ready: ConditionValue;
  succeeded: ConditionValue;
}

const FINISHED = new Set(['Completed', 'Failed', 'Stopped']);

export function isFinished(job: DescribeTrainingJobResponse): boolean {
  return FINISHED.has(job.TrainingJobStatus ?? '');
}

function describeState(job: DescribeTrainingJobResponse): string {
  const secondary =
    job.SecondaryStatus && job.SecondaryStatus !== job.TrainingJobStatus ? ` (${job.SecondaryStatus})` : '';
  return `training job ${job.TrainingJobName ?? ''} is ${job.TrainingJobStatus ?? 'unknown'}${secondary}`;
}

/** Ready and Succeeded (DESIGN.md §3) for what SageMaker reports. */
export function jobConditions(job: DescribeTrainingJobResponse): JobConditions {
  const message = describeState(job);
  switch (job.TrainingJobStatus) {
    case 'Completed': {
      const done = { status: 'True' as const, reason: 'Completed', message };
      return { ready: done, succeeded: done };
    }
    case 'Failed': {
      const failed = { status: 'False' as const, reason: 'Failed', message: job.FailureReason ?? message };
      return { ready: failed, succeeded: failed };
    }
    case 'Stopped': {
      const stopped = { status: 'False' as const, reason: 'Stopped', message };
      return { ready: stopped, succeeded: stopped };
    }
    default: {
      const running = { status: 'False' as const, reason: 'InProgress', message };
      return { ready: running, succeeded: { ...running, status: 'Unknown' } };
    }
  }
}

/**
 * How long until the next describe of a job that is still moving: as long as its current secondary
 * status has lasted (pollDelay). SecondaryStatusTransitions tells when that status began.
 */
export function nextPollMs(job: DescribeTrainingJobResponse, now: Date, polling: PollingSettings): number {
  const since =
    job.SecondaryStatusTransitions?.at(-1)?.StartTime ?? job.LastModifiedTime ?? job.CreationTime ?? now;
  return pollDelay(now.getTime() - since.getTime(), polling);
}

/** One step of deleting a job under deletionPolicy Delete (stop it, wait, then delete the record). */
export type DeletionStep = 'stop' | 'wait' | 'delete';

export function deletionStep(job: DescribeTrainingJobResponse): DeletionStep {
  switch (job.TrainingJobStatus) {
    case 'InProgress':
      return 'stop';
    case 'Completed':
    case 'Failed':
    case 'Stopped':
      return 'delete';
    default:
      return 'wait';
  }
}

/** Whether what the user sees changed enough to be worth an event. */
export function stateChanged(
  before: { trainingJobStatus?: string; secondaryStatus?: string },
  job: DescribeTrainingJobResponse,
): boolean {
  return before.trainingJobStatus !== job.TrainingJobStatus || before.secondaryStatus !== job.SecondaryStatus;
}

import type { ConditionValue } from './conditions.js';
import { pollDelay, type PollingSettings } from './polling.js';

/**
 * What the job lifecycle reads of a SageMaker job's description. Training, processing and transform
 * jobs share their primary states: InProgress, Completed, Failed, Stopping, Stopped (and Deleting
 * for the kinds that can be deleted).
 */
export interface JobView {
  readonly name: string;
  readonly arn: string | undefined;
  readonly state: string | undefined;
  /** A finer state worth showing, e.g. a training job's secondary status. */
  readonly detail?: string | undefined;
  readonly failureReason?: string | undefined;
  /** When the current state (or detail) began, for the polling delay. */
  readonly stateSince: Date | undefined;
}

export interface JobConditions {
  ready: ConditionValue;
  succeeded: ConditionValue;
}

const FINISHED = new Set(['Completed', 'Failed', 'Stopped']);

/** A job SageMaker is running or stopping: it moves on by itself. */
export function isRunning(job: JobView): boolean {
  return job.state === 'InProgress' || job.state === 'Stopping';
}

/** A finished job changes no more: it is only looked at rarely (deleted or retagged outside). */
export function isFinished(job: JobView): boolean {
  return FINISHED.has(job.state ?? '');
}

function describeState(label: string, job: JobView): string {
  const detail = job.detail && job.detail !== job.state ? ` (${job.detail})` : '';
  return `${label} ${job.name} is ${job.state ?? 'unknown'}${detail}`;
}

/** Ready and Succeeded for what SageMaker reports of a job (Succeeded is Unknown while it runs). */
export function jobConditions(label: string, job: JobView): JobConditions {
  const message = describeState(label, job);
  switch (job.state) {
    case 'Completed': {
      const completed = { status: 'True' as const, reason: 'Completed', message };
      return { ready: completed, succeeded: completed };
    }
    case 'Failed': {
      const failed = { status: 'False' as const, reason: 'Failed', message: job.failureReason ?? message };
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

/** How long until the next describe of a job that is still moving: as long as its state has lasted. */
export function nextPollMs(job: JobView, now: Date, polling: PollingSettings): number {
  return pollDelay(now.getTime() - (job.stateSince ?? now).getTime(), polling);
}

/**
 * One step of deleting a job under deletionPolicy Delete: a running job is stopped, a finished one
 * deleted (when the kind can be), anything else (Stopping, Deleting) waited for.
 */
export type DeletionStep = 'stop' | 'wait' | 'delete';

export function deletionStep(job: JobView): DeletionStep {
  if (job.state === 'InProgress') return 'stop';
  return isFinished(job) ? 'delete' : 'wait';
}

/**
 * Ready=False Deleting, saying what a delete is doing or waiting for. A job SageMaker keeps the
 * record of (`keepsRecord`: no delete call) is only stopped.
 */
export function deletingCondition(
  label: string,
  job: JobView,
  step: DeletionStep,
  keepsRecord = false,
): ConditionValue {
  const what = `${label} ${job.name}`;
  const state = job.state ?? 'changing';
  const message = keepsRecord
    ? { stop: `stopping ${what}`, delete: `deleting ${what}`, wait: `waiting while ${what} is ${state}` }[
        step
      ]
    : {
        stop: `stopping ${what} before deleting it`,
        delete: `deleting ${what}`,
        wait: `deleting ${what}: waiting while it is ${state}`,
      }[step];
  return { status: 'False', reason: 'Deleting', message };
}

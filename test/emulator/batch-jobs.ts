import type { Tag } from '@aws-sdk/client-sagemaker';
import type { Timings, Limits } from './config.js';
import type { Context } from './context.js';
import type { ApiError } from './errors.js';
import { resourceInUse, resourceLimitExceeded, validation } from './errors.js';
import { quotaMessage } from './quotas.js';
import type { Resource } from './resources.js';
import { newResource, Registry } from './resources.js';
import { tagsFrom } from './tags.js';

export type BatchJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

/** A processing or transform job: both run InProgress → Completed | Failed, or Stopping → Stopped. */
export interface BatchJob<Request> extends Resource {
  request: Request;
  status: BatchJobStatus;
  failureReason?: string;
  startTime?: number;
  endTime?: number;
}

export interface BatchKind {
  kind: 'ProcessingJob' | 'TransformJob';
  /** As in SageMaker's messages: "the processing job is in status ...". */
  label: 'processing' | 'transform';
  arnType: string;
  running: keyof Timings;
  stopping: keyof Timings;
  quota: keyof Limits;
  notFound: (name: string) => ApiError;
}

/** Thrown by a job's `produce` to fail the job with SageMaker's own FailureReason. */
export class JobFailure extends Error {}

export interface RunOptions {
  /** Overrides the outcome steered for the job's name. */
  outcome?: { failed: boolean; failureReason?: string };
  /** What the job writes when it completes; a failure to write fails the job. */
  produce?: () => Promise<void>;
}

/** The lifecycle, quota and stop rules that processing and transform jobs share. */
export function batchJobs<Request extends { Tags?: Tag[] }>(
  ctx: Context,
  /** `describe`: the job's Describe* answer, for its state-change events. */
  kind: BatchKind & { describe: (job: BatchJob<Request>) => unknown },
) {
  const registry = new Registry<BatchJob<Request>>(kind.arnType, ctx.scope, (name) => kind.notFound(name));
  const active: BatchJobStatus[] = ['InProgress', 'Stopping'];

  const finish = (job: BatchJob<Request>, status: BatchJobStatus, failureReason?: string): void => {
    job.status = status;
    job.failureReason = failureReason;
    job.endTime = ctx.now();
    job.lastModifiedTime = job.endTime;
    changed(job);
  };

  const changed = (job: BatchJob<Request>): void => {
    ctx.stateChanged(kind.kind, job, () => kind.describe(job));
  };

  const checkQuota = (): void => {
    const limit = ctx.settings.limits[kind.quota];
    if (limit === undefined) return;
    let running = 0;
    for (const job of registry.values()) if (active.includes(job.status)) running++;
    if (running >= limit) {
      throw resourceLimitExceeded(
        quotaMessage(`Number of concurrent ${kind.label} jobs`, limit, running, 'Jobs'),
      );
    }
  };

  const create = (name: string, request: Request, options: RunOptions = {}): BatchJob<Request> => {
    const existing = registry.get(name);
    if (existing) {
      throw resourceInUse(
        `${kind.label === 'processing' ? 'Processing' : 'Transform'} job names must be unique within an AWS account and region, and a ${kind.label} job with this name already exists (${existing.arn})`,
      );
    }
    checkQuota();
    const now = ctx.now();
    const job: BatchJob<Request> = {
      ...newResource(name, registry.arn(name), now),
      tags: tagsFrom(request.Tags),
      request,
      status: 'InProgress',
      startTime: now,
    };
    registry.add(job);
    changed(job);
    const steer = ctx.steering.get(kind.kind, name);
    const outcome = options.outcome ?? {
      failed: steer?.outcome === 'Failed',
      failureReason: steer?.failureReason,
    };
    const at = now + ctx.timing(kind.running);
    if (outcome.failed) {
      const reason =
        outcome.failureReason ?? 'AlgorithmError: the container exited with a non-zero exit code (1).';
      ctx.lifecycle.plan(job, [
        {
          at,
          run: () => {
            finish(job, 'Failed', reason);
          },
        },
      ]);
    } else {
      const complete = async (): Promise<void> => {
        try {
          await options.produce?.();
        } catch (error) {
          const reason =
            error instanceof JobFailure
              ? error.message
              : `ClientError: Failed to upload the ${kind.label} job output: ${(error as Error).message}`;
          finish(job, 'Failed', reason);
          return;
        }
        finish(job, 'Completed');
      };
      ctx.lifecycle.plan(job, [{ at, run: complete }]);
    }
    return job;
  };

  const settled = async (name: string): Promise<BatchJob<Request>> => {
    const job = registry.require(name);
    await ctx.lifecycle.settle(job);
    return job;
  };

  const stop = async (name: string): Promise<void> => {
    const job = await settled(name);
    if (job.status !== 'InProgress') {
      throw validation(`The request was rejected because the ${kind.label} job is in status ${job.status}.`);
    }
    job.status = 'Stopping';
    job.lastModifiedTime = ctx.now();
    changed(job);
    ctx.lifecycle.plan(job, [
      {
        at: ctx.now() + ctx.timing(kind.stopping),
        run: () => {
          finish(job, 'Stopped');
        },
      },
    ]);
  };

  const remove = async (name: string): Promise<void> => {
    const job = await settled(name);
    if (active.includes(job.status)) {
      throw resourceInUse(
        `The ${kind.label} job ${job.name} is in status ${job.status} and cannot be deleted.`,
      );
    }
    registry.delete(job);
  };

  return { registry, create, settled, stop, remove };
}

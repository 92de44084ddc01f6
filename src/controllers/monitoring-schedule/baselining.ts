import { CreateProcessingJobCommand, type DescribeProcessingJobResponse } from '@aws-sdk/client-sagemaker';
import type { MonitoringScheduleSpec, MonitoringScheduleStatus } from '../../crds/monitoring-schedule.js';
import { ReconcileError, type ReconcileContext } from '../../runtime/index.js';
import { invalidSpec } from '../common/conditions.js';
import { isFinished, nextPollMs, type JobView } from '../common/job-states.js';
import { ManagedJob, type JobCalls } from '../common/managed-job.js';
import type { ManagedResource } from '../common/managed-resource.js';
import { untilGone, type PollingSettings } from '../common/polling.js';
import { processingJobCalls } from '../common/processing-jobs.js';
import { baselinePlan, noImageMessage, type Baseline, type BaselinePlan } from './plan.js';

/** A baselining job is a processing job whose record stays: it is stopped on deletion, never deleted. */
const { delete: _kept, ...processingJobsKept } = processingJobCalls;
const baseliningJobs: JobCalls<DescribeProcessingJobResponse> = {
  ...processingJobsKept,
  label: 'baselining job',
};

type Status = MonitoringScheduleStatus;

/**
 * The baseline of a schedule: the constraints and statistics the spec gives, or those the baselining
 * job of spec.baseline.fromDataset suggests. The job is named after its content, recorded in
 * status.baseline before it is created, created once and followed until it completes; a job that
 * failed or was stopped fails this generation (CreateFailed). No sweep lists processing jobs for a
 * schedule: a running one is described again as long as its state has lasted.
 */
export class Baselining {
  /** When a running baselining job is looked at again. */
  retryMs: number;

  constructor(
    private readonly ctx: ReconcileContext<Status>,
    private readonly resource: ManagedResource<Status>,
    private readonly polling: PollingSettings,
  ) {
    this.retryMs = polling.minMs;
  }

  /** The baseline URIs; undefined while the baselining job runs (look again after `retryMs`). */
  async baseline(resolved: MonitoringScheduleSpec): Promise<Baseline | undefined> {
    const spec = resolved.baseline;
    if (!spec?.fromDataset) {
      const given = { constraintsUri: spec?.constraintsUri, statisticsUri: spec?.statisticsUri };
      this.ctx.status.set({ baseline: spec ? given : undefined });
      return given;
    }
    const { name: scheduleName, region, tags } = this.resource;
    const plan = baselinePlan(resolved, scheduleName, region, tags);
    if (!plan) return invalidSpec(this.ctx.status, noImageMessage(resolved, region, 'baselining job'));
    const name = plan.request.ProcessingJobName;
    const recorded = this.ctx.status.current.baseline;
    if (recorded?.jobName === name && recorded.jobStatus === 'Completed') return urisOf(plan);
    if (recorded?.jobName !== name) {
      this.ctx.status.set({ baseline: { jobName: name } });
      await this.ctx.status.flush();
    }
    const ours = recorded?.jobName === name ? recorded : undefined;
    const job = new ManagedJob(this.ctx, this.resource, baseliningJobs, this.polling, name);
    const found = await job.find(ours?.jobArn);
    if (found) return this.observed(job.view(found), plan);
    const message = `running baselining job ${name} on ${spec.fromDataset.s3Uri ?? ''}`;
    // Our create answered but describe does not show the job yet: never create it twice.
    if (!job.mayStillAppear({ arn: ours?.jobArn, state: ours?.jobStatus })) {
      const creation = await job.create(
        async () =>
          (
            await this.resource.sagemaker.send(
              new CreateProcessingJobCommand(plan.request),
              this.resource.cancel,
            )
          ).ProcessingJobArn,
      );
      if (creation.type === 'found') return this.observed(job.view(creation.description), plan);
      if (creation.type === 'created') this.ctx.events.normal('Baselining', message, 'Create');
      const jobArn = creation.type === 'created' ? creation.answer : undefined;
      this.ctx.status.set({ baseline: { jobName: name, ...(jobArn && { jobArn }) } });
    }
    this.ctx.status.setCondition('Ready', 'False', 'Baselining', message);
    this.retryMs = this.polling.minMs;
    return undefined;
  }

  /** The baselining job as described: its baseline once it completed, else how it goes. */
  private observed(job: JobView, plan: BaselinePlan): Baseline | undefined {
    const jobName = plan.request.ProcessingJobName;
    const { state: jobStatus, failureReason } = job;
    if (jobStatus === 'Completed') {
      this.ctx.status.set({ baseline: { jobName, jobStatus, ...urisOf(plan) } });
      return urisOf(plan);
    }
    this.ctx.status.set({ baseline: { jobName, jobStatus, ...(failureReason && { failureReason }) } });
    if (isFinished(job)) {
      const message = `baselining job ${jobName} ${jobStatus === 'Failed' ? `failed: ${failureReason ?? 'no reason given'}` : 'was stopped'}`;
      this.ctx.status.setCondition('Ready', 'False', 'Failed', message);
      throw new ReconcileError('terminal', 'CreateFailed', message);
    }
    this.ctx.status.setCondition(
      'Ready',
      'False',
      'Baselining',
      `baselining job ${jobName} is ${jobStatus ?? 'starting'}`,
    );
    this.retryMs = nextPollMs(job, new Date(), untilGone(this.polling));
    return undefined;
  }

  /**
   * On deletion, a baselining job of ours that still runs is stopped: nothing will use its
   * baseline. False while one our create answered for cannot be described yet.
   */
  async stop(): Promise<boolean> {
    const recorded = this.ctx.status.current.baseline;
    if (!recorded?.jobName) return true;
    const job = new ManagedJob(this.ctx, this.resource, baseliningJobs, this.polling, recorded.jobName);
    const removal = await job.removal({ arn: recorded.jobArn, state: recorded.jobStatus });
    if (removal.type === 'notVisible') return false;
    if (removal.type === 'present' && removal.step === 'stop') await job.remove(removal.job, 'stop');
    return true;
  }
}

function urisOf(plan: BaselinePlan): Baseline {
  return { constraintsUri: plan.constraintsUri, statisticsUri: plan.statisticsUri };
}

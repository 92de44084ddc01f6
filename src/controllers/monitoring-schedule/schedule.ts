import {
  CreateMonitoringScheduleCommand,
  DeleteMonitoringScheduleCommand,
  DescribeMonitoringScheduleCommand,
  StartMonitoringScheduleCommand,
  StopMonitoringScheduleCommand,
  UpdateMonitoringScheduleCommand,
  type DescribeMonitoringScheduleResponse,
} from '@aws-sdk/client-sagemaker';
import type { MonitoringScheduleObject, MonitoringScheduleStatus } from '../../crds/monitoring-schedule.js';
import {
  findCondition,
  ReconcileError,
  requeueAfter,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import type { KindControllerOptions } from '../common/change-detection.js';
import type { ManagedResource, ResourceRef } from '../common/managed-resource.js';
import { pollDelay, untilGone } from '../common/polling.js';
import { RUNNING_EXECUTION } from './cadence.js';
import { scheduleConfig, scheduleMatches } from './plan.js';

type Status = MonitoringScheduleStatus;
type Description = DescribeMonitoringScheduleResponse;
type ScheduleConfig = ReturnType<typeof scheduleConfig>;

/**
 * The SageMaker monitoring schedule itself: created on its job definition, updated to a new
 * definition or timing once no execution runs, stopped and started again as spec.suspend says,
 * waited for while Pending (SageMaker refuses every change then), and deleted with its object.
 */
export class Schedule {
  private readonly ref: ResourceRef<Description>;

  constructor(
    private readonly ctx: ReconcileContext<Status>,
    private readonly obj: MonitoringScheduleObject,
    private readonly resource: ManagedResource<Status>,
    private readonly options: KindControllerOptions,
    /** How often a schedule whose execution runs is looked at without sweeps. */
    private readonly executionPollMs: number,
  ) {
    const { name, sagemaker, cancel } = resource;
    this.ref = {
      label: 'monitoring schedule',
      name,
      describe: () =>
        sagemaker.send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: name }), cancel),
      arnOf: (d) => d.MonitoringScheduleArn,
    };
  }

  private get name(): string {
    return this.resource.name;
  }

  private get status(): Partial<Status> {
    return this.ctx.status.current;
  }

  /** The schedule as described, claimed unless status shows it created for this generation. */
  async find(): Promise<Description | undefined> {
    const schedule = await this.resource.find(this.ref);
    if (schedule && this.resource.mustClaim(this.status.monitoringScheduleArn))
      await this.resource.claim(this.ref, schedule);
    return schedule;
  }

  async create(desired: ScheduleConfig): Promise<ReconcileResult> {
    // Nothing runs yet: Ready says why (InvalidSpec, AccessDenied, QuotaExceeded).
    const creation = await this.resource.attemptCreate(() =>
      this.resource.create(this.ref, () =>
        this.resource.sagemaker.send(
          new CreateMonitoringScheduleCommand({
            MonitoringScheduleName: this.name,
            MonitoringScheduleConfig: desired,
            Tags: this.resource.tags,
          }),
          this.resource.cancel,
        ),
      ),
    );
    if (creation.type === 'created') {
      this.ctx.status.set({ monitoringScheduleArn: creation.answer.MonitoringScheduleArn });
      const message = `creating monitoring schedule ${this.name} on ${desired.MonitoringJobDefinitionName ?? ''}`;
      this.ctx.events.normal('Creating', message, 'Create');
      this.ctx.status.setCondition('Ready', 'False', 'Creating', message);
    }
    return requeueAfter(this.options.polling.minMs);
  }

  /**
   * Moves the schedule toward `desired` and spec.suspend: the result the reconcile ends with while
   * it moves, or undefined once it is in place (Ready=True, Scheduled or Suspended).
   */
  async converge(schedule: Description, desired: ScheduleConfig): Promise<ReconcileResult | undefined> {
    const state = schedule.MonitoringScheduleStatus;
    if (state === 'Pending') return this.waitPending(schedule);
    const matches = scheduleMatches(schedule.MonitoringScheduleConfig, desired);
    if (state === 'Failed') {
      const reason = `monitoring schedule ${this.name} failed: ${schedule.FailureReason ?? 'no reason given'}`;
      this.ctx.status.setCondition('Ready', 'False', 'Failed', reason);
      if (matches) throw new ReconcileError('terminal', 'CreateFailed', reason);
    }
    if (!matches) return this.update(desired);
    const suspend = this.obj.spec.suspend === true;
    if (suspend ? state === 'Scheduled' : state === 'Stopped') return this.setSuspended(suspend);
    this.ctx.status.setCondition(
      'Ready',
      'True',
      suspend ? 'Suspended' : 'Scheduled',
      suspend
        ? `monitoring schedule ${this.name} is stopped (suspend: true)`
        : `monitoring schedule ${this.name} runs ${this.obj.spec.schedule.scheduleExpression} on ${desired.MonitoringJobDefinitionName ?? ''}`,
    );
    return undefined;
  }

  /**
   * Deletion: a schedule of ours is deleted once it is not Pending; the result the deletion ends
   * with meanwhile, or undefined once no schedule of ours is left.
   */
  async delete(): Promise<ReconcileResult | undefined> {
    const schedule = await this.resource.find(this.ref);
    if (!schedule || !(await this.resource.owns(schedule.MonitoringScheduleArn ?? ''))) return undefined;
    if (schedule.MonitoringScheduleStatus === 'Pending') {
      const message = `waiting for monitoring schedule ${this.name} to leave Pending before deleting it`;
      this.ctx.status.setCondition('Ready', 'False', 'Deleting', message);
      return requeueAfter(pollDelay(ageOf(schedule.LastModifiedTime), untilGone(this.options.polling)));
    }
    await this.resource.sagemaker.send(
      new DeleteMonitoringScheduleCommand({ MonitoringScheduleName: this.name }),
      this.resource.cancel,
    );
    const message = `deleting monitoring schedule ${this.name}`;
    this.ctx.events.normal('Deleting', message, 'Delete');
    this.ctx.status.setCondition('Ready', 'False', 'Deleting', message);
    return requeueAfter(this.options.polling.minMs);
  }

  /** Pending after a create or an update: SageMaker refuses every change until it is over. */
  private waitPending(schedule: Description): ReconcileResult {
    const ready = findCondition(this.status.conditions, 'Ready');
    const creating = this.status.monitoringScheduleStatus === undefined || ready?.reason === 'Creating';
    this.ctx.status.setCondition(
      'Ready',
      'False',
      creating ? 'Creating' : 'Updating',
      `monitoring schedule ${this.name} is Pending`,
    );
    return requeueAfter(pollDelay(ageOf(schedule.LastModifiedTime), this.options.polling));
  }

  /** A new definition or timing, once no execution runs (it would keep the old definition). */
  private async update(desired: ScheduleConfig): Promise<ReconcileResult> {
    const running = this.status.lastExecution;
    if (running && RUNNING_EXECUTION.has(running.status)) {
      const message = `waiting for the execution scheduled at ${running.scheduledTime} to finish before updating monitoring schedule ${this.name}`;
      this.ctx.status.setCondition('Ready', 'False', 'Updating', message);
      return requeueAfter(this.options.changeDetection ? this.options.polling.maxMs : this.executionPollMs);
    }
    await this.resource.sagemaker.send(
      new UpdateMonitoringScheduleCommand({
        MonitoringScheduleName: this.name,
        MonitoringScheduleConfig: desired,
      }),
      this.resource.cancel,
    );
    const message = `updating monitoring schedule ${this.name} to ${desired.MonitoringJobDefinitionName ?? ''}`;
    this.ctx.events.normal('Updating', message, 'Update');
    this.ctx.status.setCondition('Ready', 'False', 'Updating', message);
    return requeueAfter(this.options.polling.minMs);
  }

  /** suspend: StopMonitoringSchedule, or StartMonitoringSchedule when it is lifted. */
  private async setSuspended(suspend: boolean): Promise<ReconcileResult> {
    const request = { MonitoringScheduleName: this.name };
    const { sagemaker, cancel } = this.resource;
    await (suspend
      ? sagemaker.send(new StopMonitoringScheduleCommand(request), cancel)
      : sagemaker.send(new StartMonitoringScheduleCommand(request), cancel));
    const message = suspend
      ? `stopping monitoring schedule ${this.name} (suspend: true)`
      : `starting monitoring schedule ${this.name} again`;
    this.ctx.events.normal(suspend ? 'Suspended' : 'Scheduled', message, suspend ? 'Stop' : 'Start');
    this.ctx.status.setCondition('Ready', 'False', 'Updating', message);
    return requeueAfter(this.options.polling.minMs);
  }
}

function ageOf(since: Date | undefined): number {
  return since ? Math.max(0, Date.now() - since.getTime()) : 0;
}

import type { DescribeMonitoringScheduleResponse } from '@aws-sdk/client-sagemaker';
import type {
  LastExecution,
  MonitoringScheduleObject,
  MonitoringScheduleStatus,
} from '../../crds/monitoring-schedule.js';
import { done, requeueAfter, type ReconcileContext, type ReconcileResult } from '../../runtime/index.js';
import type { KindControllerOptions } from '../common/change-detection.js';
import type { ManagedResource } from '../common/managed-resource.js';
import { processingJobCalls } from '../common/processing-jobs.js';
import { isoTime } from '../common/sagemaker-shape.js';
import { expectsExecution, RUNNING_EXECUTION, untilNextLook } from './cadence.js';
import {
  executionWarning,
  needsReport,
  observedExecution,
  sameExecution,
  violationsCondition,
} from './executions.js';
import { readViolations } from './report.js';

type Status = MonitoringScheduleStatus;

/**
 * What a schedule shows of itself and of its executions: the schedule's state mirrored in status,
 * its latest execution with the report of a finished one (Violations and its Warning events), and
 * when to look again where no sweep lists executions.
 */
export class Observation {
  constructor(
    private readonly ctx: ReconcileContext<Status>,
    private readonly obj: MonitoringScheduleObject,
    private readonly resource: ManagedResource<Status>,
    private readonly options: KindControllerOptions,
    private readonly hourMs: number,
  ) {}

  /** How often a schedule whose execution runs is looked at without sweeps. */
  get executionPollMs(): number {
    return Math.max(this.options.polling.minMs, this.hourMs / 60);
  }

  /**
   * Mirrors the schedule and its latest execution; a finished execution's report is read once
   * (DescribeProcessingJob for its output, S3 for constraint_violations.json). True when the
   * execution is another one, or in another state, than status recorded.
   */
  async observe(schedule: DescribeMonitoringScheduleResponse): Promise<boolean> {
    this.ctx.status.set({
      monitoringScheduleArn: schedule.MonitoringScheduleArn,
      monitoringScheduleStatus: schedule.MonitoringScheduleStatus,
      failureReason: schedule.FailureReason,
      lastModifiedTime: isoTime(schedule.LastModifiedTime),
      endpointName: schedule.EndpointName ?? this.ctx.status.current.endpointName,
    });
    const summary = schedule.LastMonitoringExecutionSummary;
    const recorded = this.ctx.status.current.lastExecution;
    if (!summary) {
      const none = violationsCondition(undefined);
      this.ctx.status.setCondition('Violations', none.status, none.reason, none.message);
      return false;
    }
    let current = observedExecution(summary);
    const changed = !(sameExecution(recorded, current) && recorded?.status === current.status);
    if (needsReport(recorded, current)) current = await this.withReport(current);
    else if (recorded && sameExecution(recorded, current) && recorded.status === current.status)
      current = recorded;
    const warning = executionWarning(recorded, current);
    if (warning) this.ctx.events.warning(warning.reason, warning.note, 'Monitor');
    const condition = violationsCondition(
      RUNNING_EXECUTION.has(current.status) ? lastFinished(recorded) : current,
    );
    this.ctx.status.setCondition('Violations', condition.status, condition.reason, condition.message);
    this.ctx.status.set({
      lastExecution: current,
      ...(current.status.startsWith('Completed') && { lastCompletedExecutionTime: current.scheduledTime }),
    });
    return changed;
  }

  /** Without sweeps, the schedule itself is described in each look slot and while an execution runs. */
  nextLook(): ReconcileResult {
    const expression = this.obj.spec.schedule.scheduleExpression;
    const status = this.ctx.status.object.status as Partial<Status>;
    const now = Date.now();
    if (expectsExecution(expression, status, now, this.hourMs)) return requeueAfter(this.executionPollMs);
    const next = untilNextLook(expression, status, now, this.hourMs);
    return next === undefined ? done : requeueAfter(next);
  }

  private async withReport(execution: LastExecution): Promise<LastExecution> {
    if (!execution.processingJobName) return execution;
    const { sagemaker, cancel, scope } = this.resource;
    const job = await processingJobCalls.describe(sagemaker, execution.processingJobName, cancel);
    const reportUri = job.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri;
    if (!reportUri) return execution;
    const violations = await readViolations(this.options.aws.s3(scope), reportUri, cancel);
    return { ...execution, reportUri, ...(violations && { violations }) };
  }
}

/** While an execution runs, the condition keeps telling what the one before it found. */
function lastFinished(recorded: LastExecution | undefined): LastExecution | undefined {
  return recorded && !RUNNING_EXECUTION.has(recorded.status) ? recorded : undefined;
}

import type { MonitoringExecutionSummary } from '@aws-sdk/client-sagemaker';
import type { LastExecution, ViolationSummary } from '../../crds/monitoring-schedule.js';
import type { ConditionValue } from '../common/conditions.js';
import { isoTime } from '../common/sagemaker-shape.js';

/** How many violations status lists one by one; the rest are counted. */
export const LISTED_VIOLATIONS = 10;
/** constraint_violations.json is read only up to this size: status stays small whatever the report. */
export const MAX_REPORT_BYTES = 4 * 1024 * 1024;

const FINISHED_WITH_REPORT = new Set(['Completed', 'CompletedWithViolations']);

/** The execution as DescribeMonitoringSchedule's LastMonitoringExecutionSummary reports it. */
export function observedExecution(summary: MonitoringExecutionSummary): LastExecution {
  const arn = summary.ProcessingJobArn;
  return {
    status: summary.MonitoringExecutionStatus ?? 'Pending',
    scheduledTime: isoTime(summary.ScheduledTime) ?? '',
    ...(arn && { processingJobArn: arn, processingJobName: arn.slice(arn.indexOf('/') + 1) }),
    ...(summary.FailureReason && { failureReason: summary.FailureReason }),
  };
}

/** The same execution: the recorded one's report and violations still apply. */
export function sameExecution(a: LastExecution | undefined, b: LastExecution): boolean {
  return a?.scheduledTime === b.scheduledTime && a.processingJobArn === b.processingJobArn;
}

/** Whether the execution's report must still be read: it finished and status has no report for it. */
export function needsReport(recorded: LastExecution | undefined, current: LastExecution): boolean {
  if (!FINISHED_WITH_REPORT.has(current.status)) return false;
  return !(sameExecution(recorded, current) && recorded?.status === current.status && recorded.reportUri);
}

interface ViolationRecord {
  feature_name?: unknown;
  constraint_check_type?: unknown;
  description?: unknown;
}

/** constraint_violations.json, bounded: the count, the count per check type, the first ten. */
export function summarizeViolations(report: string): ViolationSummary {
  const parsed = JSON.parse(report) as { violations?: unknown };
  const all = Array.isArray(parsed.violations) ? (parsed.violations as ViolationRecord[]) : [];
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const byCheckType: Record<string, number> = {};
  for (const v of all) {
    const type = text(v.constraint_check_type) || 'unknown';
    byCheckType[type] = (byCheckType[type] ?? 0) + 1;
  }
  return {
    count: all.length,
    byCheckType,
    first: all.slice(0, LISTED_VIOLATIONS).map((v) => ({
      featureName: text(v.feature_name),
      checkType: text(v.constraint_check_type),
      description: text(v.description).slice(0, 1024),
    })),
  };
}

/** The Violations condition: whether the latest finished execution found violations. */
export function violationsCondition(last: LastExecution | undefined): ConditionValue {
  switch (last?.status) {
    case 'CompletedWithViolations':
      return {
        status: 'True',
        reason: 'ViolationsFound',
        message: `the execution scheduled at ${last.scheduledTime} found ${last.violations?.count ?? 'some'} violations${last.reportUri ? `: ${last.reportUri}` : ''}`,
      };
    case 'Completed':
      return {
        status: 'False',
        reason: 'NoViolations',
        message: `the execution scheduled at ${last.scheduledTime} found no violations`,
      };
    case 'Failed':
    case 'Stopped':
      return {
        status: 'Unknown',
        reason: 'ExecutionFailed',
        message: `the execution scheduled at ${last.scheduledTime} ${last.status === 'Failed' ? `failed: ${last.failureReason ?? 'no reason given'}` : 'was stopped'}`,
      };
    default:
      return { status: 'Unknown', reason: 'NoExecution', message: 'no execution has finished yet' };
  }
}

/** The Warning event of an execution that just finished with violations or failed, once per execution. */
export function executionWarning(
  recorded: LastExecution | undefined,
  current: LastExecution,
): { reason: string; note: string } | undefined {
  if (sameExecution(recorded, current) && recorded?.status === current.status) return undefined;
  const condition = violationsCondition(current);
  if (condition.reason === 'ViolationsFound' || condition.reason === 'ExecutionFailed')
    return { reason: condition.reason, note: condition.message };
  return undefined;
}

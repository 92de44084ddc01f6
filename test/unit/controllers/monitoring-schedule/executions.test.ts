import { describe, expect, it } from '@jest/globals';
import {
  executionWarning,
  needsReport,
  observedExecution,
  summarizeViolations,
  violationsCondition,
} from '../../../../src/controllers/monitoring-schedule/executions.js';

const violation = (i: number, type: string) => ({
  feature_name: `f${i}`,
  constraint_check_type: type,
  description: `violation ${i}`,
});

describe('summarizeViolations', () => {
  it('counts all violations, per check type, and lists the first ten', () => {
    const report = JSON.stringify({
      violations: [
        ...Array.from({ length: 11 }, (_, i) => violation(i, 'baseline_drift_check')),
        violation(11, 'data_type_check'),
      ],
    });
    const summary = summarizeViolations(report);
    expect(summary.count).toBe(12);
    expect(summary.byCheckType).toEqual({ baseline_drift_check: 11, data_type_check: 1 });
    expect(summary.first).toHaveLength(10);
    expect(summary.first[0]).toEqual({
      featureName: 'f0',
      checkType: 'baseline_drift_check',
      description: 'violation 0',
    });
  });

  it('reads an empty report as no violations', () => {
    expect(summarizeViolations('{"violations": []}')).toEqual({ count: 0, byCheckType: {}, first: [] });
  });
});

describe('executions', () => {
  const summary = {
    MonitoringScheduleName: 's',
    ScheduledTime: new Date('2026-01-01T10:00:00Z'),
    CreationTime: new Date('2026-01-01T10:00:00Z'),
    LastModifiedTime: new Date('2026-01-01T10:10:00Z'),
    MonitoringExecutionStatus: 'CompletedWithViolations' as const,
    ProcessingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/model-monitoring-1',
  };

  it('reads the processing job and scheduled time of a summary', () => {
    expect(observedExecution(summary)).toEqual({
      status: 'CompletedWithViolations',
      scheduledTime: '2026-01-01T10:00:00Z',
      processingJobArn: summary.ProcessingJobArn,
      processingJobName: 'model-monitoring-1',
    });
  });

  it("reads a finished execution's report once", () => {
    const current = observedExecution(summary);
    expect(needsReport(undefined, current)).toBe(true);
    expect(needsReport({ ...current, reportUri: 's3://b/r' }, current)).toBe(false);
    expect(needsReport(undefined, { ...current, status: 'InProgress' })).toBe(false);
  });

  it('warns once per execution that found violations or failed', () => {
    const current = { ...observedExecution(summary), violations: { count: 2, byCheckType: {}, first: [] } };
    expect(executionWarning(undefined, current)).toMatchObject({ reason: 'ViolationsFound' });
    expect(executionWarning(current, current)).toBeUndefined();
    const failed = { ...current, status: 'Failed', failureReason: 'AlgorithmError: boom' };
    expect(executionWarning(current, failed)).toEqual({
      reason: 'ExecutionFailed',
      note: 'the execution scheduled at 2026-01-01T10:00:00Z failed: AlgorithmError: boom',
    });
    expect(executionWarning(undefined, { ...current, status: 'Completed' })).toBeUndefined();
  });

  it('says in the Violations condition what the last execution found', () => {
    expect(violationsCondition(undefined)).toMatchObject({ status: 'Unknown', reason: 'NoExecution' });
    expect(violationsCondition({ status: 'Completed', scheduledTime: 't' })).toMatchObject({
      status: 'False',
      reason: 'NoViolations',
    });
    expect(
      violationsCondition({
        status: 'CompletedWithViolations',
        scheduledTime: 't',
        violations: { count: 3, byCheckType: {}, first: [] },
      }),
    ).toMatchObject({
      status: 'True',
      reason: 'ViolationsFound',
      message: 'the execution scheduled at t found 3 violations',
    });
  });
});

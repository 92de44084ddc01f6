import { ListMonitoringExecutionsCommand, ListMonitoringSchedulesCommand } from '@aws-sdk/client-sagemaker';
import {
  monitoringSchedule as scheduleKind,
  type MonitoringScheduleObject,
} from '../../crds/monitoring-schedule.js';
import { listedPage, modifiedAfter, type ChangeListing } from '../common/change-detection.js';
import { expectsExecution } from './cadence.js';

/** Schedules for change detection: ListMonitoringSchedules reports every state change's time. */
export const scheduleListing: ChangeListing = {
  kind: scheduleKind.kind,
  nameField: 'monitoringScheduleName',
  listModifiedAfter: async (sagemaker, after, nextToken, cancel) => {
    const page = await sagemaker.send(
      new ListMonitoringSchedulesCommand(modifiedAfter(after, nextToken)),
      cancel,
    );
    return listedPage(page.MonitoringScheduleSummaries, (s) => s.MonitoringScheduleName, page.NextToken);
  },
};

/**
 * Executions change without the schedule's LastModifiedTime moving: one ListMonitoringExecutions
 * per region finds them for every schedule at once. It runs about once a minute (of schedule time)
 * while some schedule of the region runs an execution or is in a look slot after its scheduled
 * time (cadence.ts), at the drift interval otherwise.
 */
export function executionListing(hourMs: number): ChangeListing {
  return {
    kind: scheduleKind.kind,
    label: 'MonitoringSchedule execution',
    nameField: 'monitoringScheduleName',
    listModifiedAfter: async (sagemaker, after, nextToken, cancel) => {
      const page = await sagemaker.send(
        new ListMonitoringExecutionsCommand(modifiedAfter(after, nextToken)),
        cancel,
      );
      // A schedule lists several executions: each is remembered on its own, or they would take turns.
      // One still Pending is not worth a describe: the schedule is described when it starts.
      const listed = (page.MonitoringExecutionSummaries ?? []).filter(
        (e) => e.MonitoringExecutionStatus !== 'Pending',
      );
      const resources = listed.map((e) => ({
        name: e.MonitoringScheduleName ?? '',
        lastModifiedTime: e.LastModifiedTime,
        summary: e,
        key: `${e.MonitoringScheduleName ?? ''}@${e.ScheduledTime?.getTime() ?? 0}`,
      }));
      return { resources, nextToken: page.NextToken };
    },
    expectsChange: (obj, now) => {
      const schedule = obj as MonitoringScheduleObject;
      return expectsExecution(schedule.spec.schedule.scheduleExpression, schedule.status, now, hourMs);
    },
    activeIntervalMs: hourMs / 60,
  };
}

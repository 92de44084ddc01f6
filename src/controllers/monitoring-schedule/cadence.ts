import type { MonitoringScheduleStatus } from '../../crds/monitoring-schedule.js';

/** When a schedule runs: once (`NOW`), or every `hours` hours from hour `phase` of the day (UTC). */
export type Cadence = { kind: 'once' } | { kind: 'every'; hours: number; phase: number };

/** SageMaker's schedule expressions (the CRD's CEL rule accepts only these). */
export function cadenceOf(expression: string): Cadence | undefined {
  if (expression === 'NOW') return { kind: 'once' };
  const match = /^cron\(0 (\*|\d{1,2})(?:\/(\d{1,2}))? \? \* \* \*\)$/.exec(expression);
  if (!match) return undefined;
  const [, hour = '*', step] = match;
  if (hour === '*') return { kind: 'every', hours: 1, phase: 0 };
  return { kind: 'every', hours: step === undefined ? 24 : Number(step), phase: Number(hour) };
}

/** Statuses of an execution that is not finished: its next change is near. */
export const RUNNING_EXECUTION = new Set(['Pending', 'InProgress', 'Stopping']);

/**
 * How long after its scheduled time an execution is looked for: SageMaker starts one 0-20 minutes
 * after the hour, and a few minutes more cover the delay until it is listed.
 */
const START_WINDOW_HOURS = 25 / 60;

/**
 * Whether a schedule's execution may change now, so that its region's execution sweeps run often:
 * while one runs, and within the start window after each time it is due. A time is due on the
 * cadence counted from the last scheduled time (or from when the schedule was last modified), and on
 * the cadence's hours of the UTC day; `hourMs` is how long an hour of the schedule lasts (shorter
 * when a test runs SageMaker's time faster).
 */
export function expectsExecution(
  expression: string,
  status: Partial<MonitoringScheduleStatus> | undefined,
  now: number,
  hourMs: number,
): boolean {
  if (status?.monitoringScheduleStatus !== 'Scheduled') return false;
  const last = status.lastExecution;
  if (last && RUNNING_EXECUTION.has(last.status)) return true;
  const cadence = cadenceOf(expression);
  if (!cadence) return false;
  if (cadence.kind === 'once') return last === undefined;
  const base = last?.scheduledTime ?? status.lastModifiedTime;
  const period = cadence.hours * hourMs;
  const window = START_WINDOW_HOURS * hourMs;
  const sinceDue = (origin: number) => (((now - origin) % period) + period) % period;
  return (
    sinceDue(cadence.phase * hourMs) < window || (base !== undefined && sinceDue(Date.parse(base)) < window)
  );
}

import type { MonitoringScheduleStatus } from '../../crds/monitoring-schedule.js';

/** When a schedule runs: once (`NOW`), or every `hours` hours of the UTC day from hour `phase`. */
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

/** SageMaker starts an execution up to 20 minutes after its scheduled time (reference §4.1). */
const START_LAG_MINUTES = 20;
/**
 * Until an execution is seen running, it is looked for in short slots, every LOOK_EVERY minutes
 * from its scheduled time until the start lag is over: rarely enough to keep a schedule's calls
 * low, often enough that an execution (minutes of Pending and of processing) is seen running
 * before it finishes, after which it is watched every minute.
 */
const LOOK_EVERY_MINUTES = 6;
const LOOK_FOR_MINUTES = 2;
const LOOKS = Array.from(
  { length: Math.floor(START_LAG_MINUTES / LOOK_EVERY_MINUTES) + 1 },
  (_, i) => (i + 1) * LOOK_EVERY_MINUTES,
);

/** Whether the cadence runs in hour `hour` (hours counted from the epoch, so hour % 24 is the UTC hour). */
function runsInHour(cadence: { hours: number; phase: number }, hour: number): boolean {
  const ofDay = ((hour % 24) + 24) % 24;
  return ofDay >= cadence.phase && (ofDay - cadence.phase) % cadence.hours === 0;
}

/**
 * The look slots (start times, ms) of the scheduled times from the one before `now` to the next
 * one; `hourMs` is how long an hour of the schedule lasts (shorter when a test runs SageMaker's
 * time faster).
 */
function lookSlots(cadence: { hours: number; phase: number }, now: number, hourMs: number): number[] {
  const current = Math.floor(now / hourMs);
  const hours: number[] = [];
  for (let hour = current; hour > current - 25 && hours.length === 0; hour--)
    if (runsInHour(cadence, hour)) hours.push(hour);
  for (let hour = current + 1; hour <= current + 25 && hours.length < 2; hour++)
    if (runsInHour(cadence, hour)) hours.push(hour);
  return hours.flatMap((hour) => LOOKS.map((minute) => hour * hourMs + (minute * hourMs) / 60));
}

/**
 * Whether a schedule's execution may change now, so that its region's execution sweeps run every
 * minute: while one runs, and in the look slots after each scheduled time.
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
  const slot = (LOOK_FOR_MINUTES * hourMs) / 60;
  return lookSlots(cadence, now, hourMs).some((start) => now >= start && now < start + slot);
}

/**
 * How long until the next look slot of a Scheduled schedule that runs on a cadence (for reconciles
 * that requeue themselves instead of relying on sweeps); undefined when there is none to wait for.
 */
export function untilNextLook(
  expression: string,
  status: Partial<MonitoringScheduleStatus> | undefined,
  now: number,
  hourMs: number,
): number | undefined {
  const cadence = cadenceOf(expression);
  if (status?.monitoringScheduleStatus !== 'Scheduled' || cadence?.kind !== 'every') return undefined;
  const next = lookSlots(cadence, now, hourMs).find((start) => start > now);
  return next === undefined ? undefined : next - now;
}

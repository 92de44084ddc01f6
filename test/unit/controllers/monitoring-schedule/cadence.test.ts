import { describe, expect, it } from '@jest/globals';
import { cadenceOf, expectsExecution } from '../../../../src/controllers/monitoring-schedule/cadence.js';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('cadenceOf', () => {
  it.each([
    ['cron(0 * ? * * *)', { kind: 'every', hours: 1, phase: 0 }],
    ['cron(0 6 ? * * *)', { kind: 'every', hours: 24, phase: 6 }],
    ['cron(0 3/12 ? * * *)', { kind: 'every', hours: 12, phase: 3 }],
    ['NOW', { kind: 'once' }],
    ['rate(1 hour)', undefined],
  ])('reads %s', (expression, cadence) => {
    expect(cadenceOf(expression)).toEqual(cadence);
  });
});

describe('expectsExecution', () => {
  const scheduled = { monitoringScheduleStatus: 'Scheduled', lastModifiedTime: '2026-01-01T09:30:00Z' };

  it('expects an hourly execution in the 25 minutes after each hour, not in between', () => {
    expect(expectsExecution('cron(0 * ? * * *)', scheduled, at('2026-01-01T10:05:00Z'), HOUR)).toBe(true);
    expect(expectsExecution('cron(0 * ? * * *)', scheduled, at('2026-01-01T10:24:00Z'), HOUR)).toBe(true);
    expect(expectsExecution('cron(0 * ? * * *)', scheduled, at('2026-01-01T10:27:00Z'), HOUR)).toBe(false);
    expect(expectsExecution('cron(0 * ? * * *)', scheduled, at('2026-01-01T10:58:00Z'), HOUR)).toBe(false);
  });

  it('expects a daily execution only after its hour of the day', () => {
    const daily = 'cron(0 6 ? * * *)';
    const last = {
      ...scheduled,
      lastExecution: { status: 'Completed', scheduledTime: '2026-01-01T06:00:00Z' },
    };
    expect(expectsExecution(daily, last, at('2026-01-02T06:10:00Z'), HOUR)).toBe(true);
    expect(expectsExecution(daily, last, at('2026-01-02T10:10:00Z'), HOUR)).toBe(false);
  });

  it('follows the last scheduled time when the schedule runs on its own clock (scaled time)', () => {
    const hour = 3600;
    const last = {
      ...scheduled,
      lastExecution: { status: 'Completed', scheduledTime: '2026-01-01T10:00:01.700Z' },
    };
    expect(expectsExecution('cron(0 * ? * * *)', last, at('2026-01-01T10:00:05.400Z'), hour)).toBe(true);
    expect(expectsExecution('cron(0 * ? * * *)', last, at('2026-01-01T10:00:03.300Z'), hour)).toBe(false);
  });

  it('expects a change while an execution runs, and nothing of a schedule that is not Scheduled', () => {
    const running = {
      ...scheduled,
      lastExecution: { status: 'InProgress', scheduledTime: '2026-01-01T10:00:00Z' },
    };
    expect(expectsExecution('cron(0 * ? * * *)', running, at('2026-01-01T10:45:00Z'), HOUR)).toBe(true);
    const stopped = { ...scheduled, monitoringScheduleStatus: 'Stopped' };
    expect(expectsExecution('cron(0 * ? * * *)', stopped, at('2026-01-01T10:05:00Z'), HOUR)).toBe(false);
  });

  it('expects the one execution of NOW until it is seen', () => {
    expect(expectsExecution('NOW', scheduled, at('2026-01-01T12:00:00Z'), HOUR)).toBe(true);
    const done = {
      ...scheduled,
      lastExecution: { status: 'Completed', scheduledTime: '2026-01-01T09:41:00Z' },
    };
    expect(expectsExecution('NOW', done, at('2026-01-01T12:00:00Z'), HOUR)).toBe(false);
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  cadenceOf,
  expectsExecution,
  untilNextLook,
} from '../../../../src/controllers/monitoring-schedule/cadence.js';

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

  it('looks for an hourly execution in short slots while SageMaker may start it, not in between', () => {
    const hourly = 'cron(0 * ? * * *)';
    const looks = (time: string) => expectsExecution(hourly, scheduled, at(`2026-01-01T${time}Z`), HOUR);
    expect(['10:03:00', '10:08:00', '10:26:00', '10:58:00'].map(looks)).toEqual([false, false, false, false]);
    expect(['10:06:00', '10:07:59', '10:12:30', '10:18:00', '10:24:00', '10:25:30'].map(looks)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('expects a daily execution only after its hour of the day', () => {
    const daily = 'cron(0 6 ? * * *)';
    expect(expectsExecution(daily, scheduled, at('2026-01-02T06:12:00Z'), HOUR)).toBe(true);
    expect(expectsExecution(daily, scheduled, at('2026-01-02T10:12:00Z'), HOUR)).toBe(false);
  });

  it('follows cron within the day: 5/10 runs at 5 and 15, and at 5 again the next day', () => {
    const expression = 'cron(0 5/10 ? * * *)';
    const looks = (iso: string) => expectsExecution(expression, scheduled, at(iso), HOUR);
    expect(looks('2026-01-01T15:06:00Z')).toBe(true);
    expect(looks('2026-01-02T01:06:00Z')).toBe(false);
    expect(looks('2026-01-02T05:06:00Z')).toBe(true);
  });

  it('counts hours of the scaled clock from the epoch when a test runs SageMaker time faster', () => {
    const hour = 3600;
    const base = Math.floor(at('2026-01-01T10:00:00Z') / hour) * hour;
    expect(expectsExecution('cron(0 * ? * * *)', scheduled, base + 6 * 60 + 30, hour)).toBe(true);
    expect(expectsExecution('cron(0 * ? * * *)', scheduled, base + 9 * 60, hour)).toBe(false);
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

describe('untilNextLook', () => {
  const scheduled = { monitoringScheduleStatus: 'Scheduled' };

  it('waits for the next look slot: later this hour, or after the next scheduled time', () => {
    expect(untilNextLook('cron(0 * ? * * *)', scheduled, at('2026-01-01T10:10:00Z'), HOUR)).toBe(2 * 60_000);
    expect(untilNextLook('cron(0 * ? * * *)', scheduled, at('2026-01-01T10:30:00Z'), HOUR)).toBe(36 * 60_000);
    expect(untilNextLook('cron(0 6 ? * * *)', scheduled, at('2026-01-01T07:00:00Z'), HOUR)).toBe(
      (23 * 60 + 6) * 60_000,
    );
  });

  it('has nothing to wait for when the schedule is stopped or runs once', () => {
    expect(
      untilNextLook('cron(0 * ? * * *)', { monitoringScheduleStatus: 'Stopped' }, 0, HOUR),
    ).toBeUndefined();
    expect(untilNextLook('NOW', scheduled, 0, HOUR)).toBeUndefined();
  });
});

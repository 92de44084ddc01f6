import { describe, expect, it, jest } from '@jest/globals';
import { nextScheduledTime, parseScheduleExpression } from './cron.js';
import { pickFault, Throttle } from './faults.js';
import type { Live } from './lifecycle.js';
import { Lifecycle } from './lifecycle.js';
import { list, paginate } from './listing.js';
import type { ServingVariant } from './hosting.js';
import { captureKey, pickVariant, predict, sampled } from './runtime.js';
import { joinS3, parseS3Uri } from './s3.js';

describe('schedule expressions', () => {
  it('accepts the cadences SageMaker supports and nothing else', () => {
    expect(parseScheduleExpression('cron(0 * ? * * *)')).toEqual({ kind: 'every', hours: 1, firstHour: 0 });
    expect(parseScheduleExpression('cron(0 5 ? * * *)')).toEqual({ kind: 'every', hours: 24, firstHour: 5 });
    expect(parseScheduleExpression('cron(0 0/6 ? * * *)')).toEqual({ kind: 'every', hours: 6, firstHour: 0 });
    expect(parseScheduleExpression('NOW')).toEqual({ kind: 'once' });
    expect(parseScheduleExpression('cron(30 * ? * * *)')).toBeUndefined();
    expect(parseScheduleExpression('cron(0 25 ? * * *)')).toBeUndefined();
    expect(parseScheduleExpression('rate(1 hour)')).toBeUndefined();
  });

  it('runs at the top of the hours of the UTC day the cron names, in real or scaled hours', () => {
    const at = (iso: string) => Date.parse(iso) / 1000;
    const hourly = parseScheduleExpression('cron(0 * ? * * *)');
    const fiveTenths = parseScheduleExpression('cron(0 5/10 ? * * *)');
    if (hourly?.kind !== 'every' || fiveTenths?.kind !== 'every') throw new Error('not a cadence');
    expect(nextScheduledTime(hourly, at('2026-01-01T10:00:00Z'), 3600)).toBe(at('2026-01-01T11:00:00Z'));
    expect(nextScheduledTime(hourly, at('2026-01-01T10:59:59Z'), 3600)).toBe(at('2026-01-01T11:00:00Z'));
    expect(nextScheduledTime(fiveTenths, at('2026-01-01T06:00:00Z'), 3600)).toBe(at('2026-01-01T15:00:00Z'));
    expect(nextScheduledTime(fiveTenths, at('2026-01-01T15:00:00Z'), 3600)).toBe(at('2026-01-02T05:00:00Z'));
    expect(nextScheduledTime(hourly, 10.1, 0.36)).toBeCloseTo(10.44);
  });
});

describe('throttling and faults', () => {
  it('refills a token bucket at its rate up to its burst', () => {
    const throttle = new Throttle({ DescribeEndpoint: { ratePerSecond: 2, burst: 2 } });
    expect([0, 0, 0].map(() => throttle.take('DescribeEndpoint', 1000))).toEqual([true, true, false]);
    expect(throttle.take('DescribeEndpoint', 1500)).toBe(true);
    expect(throttle.take('DescribeEndpoint', 1500)).toBe(false);
    expect(throttle.take('ListModels', 1500)).toBe(true);
  });

  it('uses the * bucket for operations without their own', () => {
    const throttle = new Throttle({ '*': { ratePerSecond: 0, burst: 1 } });
    expect(throttle.take('A', 0)).toBe(true);
    expect(throttle.take('B', 0)).toBe(false);
  });

  it('picks matching faults by rate and uses up counted ones', () => {
    const faults = [{ kind: 'error' as const, operation: 'X', rate: 0.5, count: 1 }];
    expect(pickFault(faults, 'Y', () => 0)).toBeUndefined();
    expect(pickFault(faults, 'X', () => 0.7)).toBeUndefined();
    expect(pickFault(faults, 'X', () => 0.2)).toBe(faults[0]);
    expect(pickFault(faults, 'X', () => 0.2)).toBeUndefined();
  });
});

describe('lifecycle', () => {
  it('applies due transitions when the resource is read', async () => {
    let now = 100;
    const lifecycle = new Lifecycle(
      () => now,
      (error) => {
        throw error;
      },
    );
    const seen: string[] = [];
    const live: Live = { pending: [] };
    lifecycle.plan(live, [
      { at: 102, run: () => void seen.push('b') },
      { at: 101, run: () => void seen.push('a') },
    ]);
    await lifecycle.settle(live);
    expect(seen).toEqual([]);
    now = 101.5;
    await lifecycle.settle(live);
    expect(seen).toEqual(['a']);
    now = 103;
    await lifecycle.settle(live);
    expect(seen).toEqual(['a', 'b']);
    lifecycle.stop();
  });

  it('waits for a side effect before applying later transitions', async () => {
    const lifecycle = new Lifecycle(
      () => 10,
      () => undefined,
    );
    const order: string[] = [];
    const live: Live = { pending: [] };
    let release = (): void => undefined;
    const effect = (): Promise<void> =>
      new Promise<void>((resolve) => {
        release = () => {
          order.push('effect');
          resolve();
        };
      });
    lifecycle.plan(live, [
      { at: 1, run: effect },
      { at: 2, run: () => void order.push('after') },
    ]);
    const settling = lifecycle.settle(live);
    expect(settling).toBeInstanceOf(Promise);
    expect(order).toEqual([]);
    release();
    await settling;
    expect(order).toEqual(['effect', 'after']);
    lifecycle.stop();
  });

  it('fires due transitions from its single timer', async () => {
    jest.useFakeTimers({ now: 0 });
    const lifecycle = new Lifecycle(
      () => Date.now() / 1000,
      () => undefined,
    );
    const fired: number[] = [];
    const lives: Live[] = [3, 1, 2].map((at) => {
      const live: Live = { pending: [] };
      lifecycle.plan(live, [{ at, run: () => void fired.push(at) }]);
      return live;
    });
    await jest.advanceTimersByTimeAsync(1500);
    expect(fired).toEqual([1]);
    await jest.advanceTimersByTimeAsync(2000);
    expect(fired).toEqual([1, 2, 3]);
    expect(lives.every((l) => l.pending.length === 0)).toBe(true);
    lifecycle.stop();
    jest.useRealTimers();
  });
});

describe('listing', () => {
  const items = ['b', 'a', 'c'].map((name, i) => ({
    name,
    creationTime: i,
    lastModifiedTime: 10 - i,
    status: name,
  }));

  it('filters, sorts and pages', () => {
    expect(list(items, {}, { defaultOrder: 'Ascending' }).page.map((i) => i.name)).toEqual(['b', 'a', 'c']);
    expect(
      list(items, { SortBy: 'Name', SortOrder: 'Descending' }, { defaultOrder: 'Ascending' }).page.map(
        (i) => i.name,
      ),
    ).toEqual(['c', 'b', 'a']);
    expect(
      list(items, { CreationTimeAfter: 0 }, { defaultOrder: 'Descending' }).page.map((i) => i.name),
    ).toEqual(['c', 'a']);
    expect(
      list(items, { StatusEquals: 'a' }, { status: (i) => i.status, defaultOrder: 'Ascending' }).page,
    ).toHaveLength(1);
    const first = paginate([1, 2, 3], undefined, 2);
    expect(first.page).toEqual([1, 2]);
    expect(paginate([1, 2, 3], first.NextToken, 2)).toEqual({ page: [3] });
    expect(() => paginate([1], 'garbage', 1)).toThrow('Invalid pagination token.');
  });
});

describe('runtime decisions', () => {
  const variant = (name: string, weight: number): ServingVariant => ({
    name,
    model: { ModelName: name },
    weight,
    instanceCount: 1,
    desiredWeight: weight,
    desiredInstanceCount: 1,
  });

  it('splits traffic by weight, deterministically', () => {
    const variants = [variant('a', 3), variant('b', 1)];
    const picks = Array.from({ length: 1000 }, (_, n) => pickVariant(variants, n)!.name);
    const a = picks.filter((p) => p === 'a').length;
    expect(a).toBeGreaterThan(700);
    expect(a).toBeLessThan(800);
    expect(pickVariant([variant('a', 0), variant('b', 1)], 5)!.name).toBe('b');
  });

  it('samples the configured percentage of calls', () => {
    expect(Array.from({ length: 100 }, (_, n) => sampled(n, 25)).filter(Boolean)).toHaveLength(25);
    expect(Array.from({ length: 10 }, (_, n) => sampled(n, 100)).every(Boolean)).toBe(true);
    expect(Array.from({ length: 10 }, (_, n) => sampled(n, 0)).some(Boolean)).toBe(false);
  });

  it('predicts from the model and the input only', () => {
    expect(predict('s3://b/m.tar.gz', '1,2')).toBe(predict('s3://b/m.tar.gz', Buffer.from('1,2')));
    expect(predict('s3://b/m.tar.gz', '1,2')).not.toBe(predict('s3://b/n.tar.gz', '1,2'));
  });

  it('lays capture files out by endpoint, variant and UTC hour', () => {
    const key = captureKey('s3://b/capture/', 'ep', 'v1', new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 7)));
    expect(key).toMatch(/^s3:\/\/b\/capture\/ep\/v1\/2024\/02\/03\/04\/05-06-007-[0-9a-f-]{36}\.jsonl$/);
  });

  it('parses and joins S3 URIs', () => {
    expect(parseS3Uri('s3://bucket/a/b')).toEqual({ bucket: 'bucket', key: 'a/b' });
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', key: '' });
    expect(joinS3('s3://b/out/', '/job/', 'model.tar.gz')).toBe('s3://b/out/job/model.tar.gz');
  });
});

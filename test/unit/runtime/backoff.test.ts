import { describe, expect, it } from '@jest/globals';
import { exponentialDelay, ItemBackoff, RestartBackoff, spread } from '../../../src/runtime/backoff.js';

describe('exponentialDelay', () => {
  it('doubles from the base and caps', () => {
    const o = { baseMs: 5, maxMs: 1_000_000 };
    expect([0, 1, 2, 3].map((n) => exponentialDelay(n, o))).toEqual([5, 10, 20, 40]);
    expect(exponentialDelay(17, o)).toBe(655_360);
    expect(exponentialDelay(18, o)).toBe(1_000_000);
    expect(exponentialDelay(5000, o)).toBe(1_000_000);
  });
});

describe('ItemBackoff', () => {
  it('counts per key and reaches about 16 minutes', () => {
    const b = new ItemBackoff();
    expect([b.next('a'), b.next('a'), b.next('b')]).toEqual([5, 10, 5]);
    let last = 0;
    for (let i = 0; i < 30; i++) last = b.next('c');
    expect(last / 60_000).toBeCloseTo(16.7, 1);
    b.forget('a');
    expect(b.next('a')).toBe(5);
  });
});

describe('RestartBackoff', () => {
  it('goes 0.8 s → 30 s without jitter and resets after a healthy period', () => {
    let now = 0;
    const b = new RestartBackoff({ now: () => now, random: () => 0 });
    const delays = Array.from({ length: 8 }, () => {
      now += 1000;
      return b.next();
    });
    expect(delays).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    now += 120_001;
    expect(b.next()).toBe(800);
  });

  it('starts again from the base delay once the loop succeeded', () => {
    const b = new RestartBackoff({ random: () => 0, maxMs: 5_000 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([800, 1600, 3200, 5000, 5000]);
    b.succeeded();
    expect(b.next()).toBe(800);
  });

  it('adds up to 100 % jitter but never exceeds the cap', () => {
    const b = new RestartBackoff({ random: () => 0.5 });
    expect(b.next()).toBe(1200);
    const capped = new RestartBackoff({ random: () => 1, baseMs: 20_000 });
    expect(capped.next()).toBe(30_000);
  });
});

describe('spread', () => {
  it('stays within ±10 %', () => {
    expect(spread(1000, 0.1, () => 0)).toBe(900);
    expect(spread(1000, 0.1, () => 1)).toBe(1100);
  });
});

import { describe, expect, it } from '@jest/globals';
import { AimdRateLimiter } from '../../../src/aws/rate-limiter.js';

function limiter(maxRate: number): { limiter: AimdRateLimiter; advance: (ms: number) => void } {
  let now = 0;
  return {
    limiter: new AimdRateLimiter({ maxRate, now: () => now }),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('AimdRateLimiter', () => {
  it('lets a burst of one second through, then spaces requests at the rate', () => {
    const { limiter: l } = limiter(10);
    const waits = Array.from({ length: 12 }, () => l.reserve());
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(waits[10]).toBeCloseTo(100);
    expect(waits[11]).toBeCloseTo(200);
  });

  it('refills over time up to the burst', () => {
    const { limiter: l, advance } = limiter(2);
    expect([l.reserve(), l.reserve()]).toEqual([0, 0]);
    advance(500);
    expect(l.reserve()).toBe(0);
    expect(l.reserve()).toBeCloseTo(500);
  });

  it('halves the rate on throttling and recovers additively on success', () => {
    const { limiter: l } = limiter(10);
    l.onThrottle();
    expect(l.rate).toBe(5);
    l.onThrottle();
    expect(l.rate).toBe(2.5);
    for (let i = 0; i < 50; i++) l.onSuccess();
    expect(l.rate).toBeCloseTo(7.5);
    for (let i = 0; i < 100; i++) l.onSuccess();
    expect(l.rate).toBe(10);
  });

  it('drops banked tokens on throttling, so the next request waits at the reduced rate', () => {
    const { limiter: l } = limiter(10);
    l.onThrottle();
    expect(l.reserve()).toBeCloseTo(200);
  });

  it('never goes below the minimum rate', () => {
    const { limiter: l } = limiter(1);
    for (let i = 0; i < 20; i++) l.onThrottle();
    expect(l.rate).toBe(0.2);
  });
});

describe('AimdRateLimiter.acquire', () => {
  it('rejects as soon as the signal fires while the caller waits for a token', async () => {
    // 0.2 requests/s with a burst of one: the second caller would wait five seconds.
    const l = new AimdRateLimiter({ maxRate: 0.2 });
    await l.acquire();
    const abort = new AbortController();
    const started = Date.now();
    const waiting = l.acquire(abort.signal);
    abort.abort(new Error('shutting down'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('rejects at once when the signal has already fired and a wait is due', async () => {
    const l = new AimdRateLimiter({ maxRate: 0.2 });
    await l.acquire();
    const started = Date.now();
    await expect(l.acquire(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('still waits for its token when the signal does not fire', async () => {
    const l = new AimdRateLimiter({ maxRate: 5 });
    for (let i = 0; i < 5; i++) await l.acquire();
    const started = Date.now();
    await l.acquire(new AbortController().signal);
    // One token at 5/s is due 200 ms after the burst was spent.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('hands the token of a caller that gave up back to the next one', async () => {
    let now = 0;
    const l = new AimdRateLimiter({ maxRate: 1, now: () => now });
    await l.acquire();
    await expect(l.acquire(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    now += 1000;
    // One second later one token has accrued; the abandoned wait did not spend it.
    expect(l.reserve()).toBe(0);
  });
});

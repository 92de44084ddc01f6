import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { AimdRateLimiter, type CallPriority } from '../../../src/aws/rate-limiter.js';

// Fake timers move Date.now too: the limiter's clock and its wake-ups advance together.
beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

/** Starts `n` acquires and returns the fake time at which each was granted (undefined while waiting). */
function acquireAll(
  limiter: AimdRateLimiter,
  priorities: readonly CallPriority[],
  signal?: AbortSignal,
): (number | undefined)[] {
  const start = Date.now();
  const granted: (number | undefined)[] = priorities.map(() => undefined);
  priorities.forEach((priority, i) => {
    limiter.acquire(signal, priority).then(
      () => (granted[i] = Date.now() - start),
      () => undefined,
    );
  });
  return granted;
}

/** Lets fake time pass and the grants' promise callbacks run. */
async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

describe('AimdRateLimiter', () => {
  it('lets a burst of one second through, then spaces requests at the rate', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 10 });
    const granted = acquireAll(limiter, Array<CallPriority>(12).fill('normal'));
    await advance(0);
    expect(granted.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(granted.slice(10)).toEqual([undefined, undefined]);
    await advance(200);
    expect(granted.slice(10)).toEqual([100, 200]);
  });

  it('refills over time up to the burst', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 2 });
    acquireAll(limiter, ['normal', 'normal']);
    await advance(500);
    const granted = acquireAll(limiter, ['normal', 'normal']);
    await advance(0);
    expect(granted).toEqual([0, undefined]);
    await advance(500);
    expect(granted).toEqual([0, 500]);
  });

  it('serves urgent callers before normal ones that waited longer, each in arrival order', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 10 });
    acquireAll(limiter, Array<CallPriority>(10).fill('normal')); // the burst
    const normal = acquireAll(limiter, ['normal', 'normal', 'normal']);
    await advance(50);
    const urgent = acquireAll(limiter, ['urgent', 'urgent']);
    await advance(500);
    // Times since each group asked: the urgent ones took the tokens due at 100 and 200 ms.
    expect(urgent).toEqual([50, 150]);
    expect(normal).toEqual([300, 400, 500]);
  });

  it('still gives every fifth token to a normal caller while urgent ones keep coming', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 10 });
    acquireAll(limiter, Array<CallPriority>(10).fill('normal')); // the burst
    const normal = acquireAll(limiter, ['normal', 'normal']);
    const urgent = acquireAll(limiter, Array<CallPriority>(10).fill('urgent'));
    await advance(1_000);
    expect(urgent.slice(0, 4)).toEqual([100, 200, 300, 400]);
    expect(normal).toEqual([500, 1000]);
    expect(urgent.slice(4)).toEqual([600, 700, 800, 900, undefined, undefined]);
  });

  it('halves the rate on throttling and recovers additively on success', () => {
    const limiter = new AimdRateLimiter({ maxRate: 10 });
    limiter.onThrottle();
    expect(limiter.rate).toBe(5);
    limiter.onThrottle();
    expect(limiter.rate).toBe(2.5);
    for (let i = 0; i < 50; i++) limiter.onSuccess();
    expect(limiter.rate).toBeCloseTo(7.5);
    for (let i = 0; i < 100; i++) limiter.onSuccess();
    expect(limiter.rate).toBe(10);
  });

  it('drops banked tokens on throttling, so the next request waits at the reduced rate', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 10 });
    limiter.onThrottle();
    const granted = acquireAll(limiter, ['normal']);
    await advance(199);
    expect(granted).toEqual([undefined]);
    await advance(1);
    expect(granted).toEqual([200]);
  });

  it('slows down callers already waiting when a throttle arrives', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 10 });
    acquireAll(limiter, Array<CallPriority>(10).fill('normal'));
    const granted = acquireAll(limiter, ['normal']);
    await advance(50);
    limiter.onThrottle();
    await advance(300);
    // At 5/s the token due at 100 ms comes 200 ms after the throttle instead.
    expect(granted).toEqual([250]);
  });

  it('never goes below the minimum rate', () => {
    const limiter = new AimdRateLimiter({ maxRate: 1 });
    for (let i = 0; i < 20; i++) limiter.onThrottle();
    expect(limiter.rate).toBe(0.2);
  });
});

describe('AimdRateLimiter.acquire and abort signals', () => {
  it('rejects as soon as the signal fires while the caller waits for a token', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 0.2 });
    await limiter.acquire();
    const abort = new AbortController();
    const waiting = limiter.acquire(abort.signal);
    abort.abort(new Error('shutting down'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError', cause: new Error('shutting down') });
    expect(limiter.waitingCalls('normal')).toBe(0);
  });

  it('rejects at once when the signal has already fired', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 0.2 });
    await expect(limiter.acquire(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('still waits for its token when the signal does not fire', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 5 });
    acquireAll(limiter, Array<CallPriority>(5).fill('normal'));
    const granted = acquireAll(limiter, ['normal'], new AbortController().signal);
    await advance(199);
    expect(granted).toEqual([undefined]);
    await advance(1);
    expect(granted).toEqual([200]);
  });

  it('gives the place of a caller that gave up to the next one, without spending a token', async () => {
    const limiter = new AimdRateLimiter({ maxRate: 1 });
    await limiter.acquire();
    const abort = new AbortController();
    const gaveUp = acquireAll(limiter, ['normal'], abort.signal);
    const next = acquireAll(limiter, ['normal']);
    abort.abort();
    await advance(1000);
    expect(gaveUp).toEqual([undefined]);
    expect(next).toEqual([1000]);
  });
});

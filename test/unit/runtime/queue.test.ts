import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { currentLane, inLane, WorkQueue } from '../../../src/runtime/queue.js';
import type { QueueObserver } from '../../../src/runtime/queue.js';

afterEach(() => {
  jest.useRealTimers();
});

function observer(): QueueObserver & { counts: Record<string, number> } {
  const counts = { added: 0, retried: 0, queued: 0, worked: 0, depth: 0 };
  return {
    counts,
    added: () => {
      counts.added++;
    },
    retried: () => {
      counts.retried++;
    },
    depth: (n) => {
      counts.depth = n;
    },
    queued: () => {
      counts.queued++;
    },
    worked: () => {
      counts.worked++;
    },
  };
}

describe('WorkQueue', () => {
  it('is fair and stingy: keys come out in order, duplicates once', async () => {
    const q = new WorkQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b']) q.add(key);
    expect(q.length).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['a', 'b', 'c']);
  });

  it('never hands a key to two workers; an add during processing runs once after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    q.add('a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    const waiting = q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(first!);
    await waiting;
    expect(second).toBe('a');
    q.done('a');
    expect(q.length).toBe(0);
  });

  it('hands out urgent keys before normal ones, each lane in order', async () => {
    const q = new WorkQueue();
    q.add('new-1');
    q.add('new-2');
    q.add('changed-1', 'urgent');
    q.add('new-3');
    q.add('changed-2', 'urgent');
    expect(q.length).toBe(5);
    const order = [];
    for (let i = 0; i < 5; i++) order.push(await q.get());
    expect(order).toEqual(['changed-1', 'changed-2', 'new-1', 'new-2', 'new-3']);
    expect(q.length).toBe(0);
  });

  it('promotes a waiting key added again as urgent, and still hands it out once', async () => {
    const q = new WorkQueue();
    for (const key of ['a', 'b', 'c']) q.add(key);
    q.add('c', 'urgent');
    q.add('c', 'urgent');
    expect(q.length).toBe(3);
    const taken = [await q.get(), await q.get(), await q.get()];
    expect(taken).toEqual(['c', 'a', 'b']);
    expect(q.length).toBe(0);
    for (const key of taken) q.done(key!);
    // The stale normal-lane place of `c` does not hand it out again, nor early after a new add.
    q.add('d');
    q.add('c');
    expect([await q.get(), await q.get()]).toEqual(['d', 'c']);
  });

  it('keeps the urgency of a key added while it is processed', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    q.add('a', 'urgent');
    q.add('b');
    q.done(first!);
    expect([await q.get(), await q.get()]).toEqual(['a', 'b']);
  });

  it('tells the lane each held key was taken from, and forgets it when done', async () => {
    const q = new WorkQueue();
    q.add('routine');
    q.add('changed', 'urgent');
    const [first, second] = [await q.get(), await q.get()];
    expect([first, q.laneOf(first!), second, q.laneOf(second!)]).toEqual([
      'changed',
      'urgent',
      'routine',
      'normal',
    ]);
    q.done(first!);
    expect(q.laneOf(first!)).toBeUndefined();
  });

  it('gives work run in a lane, and everything it awaits, that lane; other work none', async () => {
    const seen: (string | undefined)[] = [];
    const work = async (): Promise<void> => {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(currentLane());
    };
    await Promise.all([inLane('urgent', work), inLane('normal', work), work()]);
    expect(seen.sort()).toEqual(['normal', 'urgent', undefined]);
  });

  it('wakes a waiting worker on add', async () => {
    const q = new WorkQueue();
    const got = q.get();
    q.add('x');
    await expect(got).resolves.toBe('x');
  });

  it('delays addAfter, keeping the earliest of several delayed adds', () => {
    jest.useFakeTimers();
    const q = new WorkQueue();
    q.addAfter('a', 1000);
    q.addAfter('a', 5000);
    q.addAfter('b', 2000);
    jest.advanceTimersByTime(999);
    expect(q.length).toBe(0);
    jest.advanceTimersByTime(1);
    expect(q.length).toBe(1);
    jest.advanceTimersByTime(1000);
    expect(q.length).toBe(2);
    jest.advanceTimersByTime(10_000);
    expect(q.length).toBe(2);
  });

  it('drops a pending delayed add when the key is picked up earlier', async () => {
    jest.useFakeTimers();
    const q = new WorkQueue();
    q.addAfter('a', 1000);
    q.add('a');
    const key = await q.get();
    q.done(key!);
    jest.advanceTimersByTime(2000);
    expect(q.length).toBe(0);
  });

  it('backs off per key exponentially from 5 ms and forgets on success', () => {
    jest.useFakeTimers();
    const obs = observer();
    const q = new WorkQueue(obs);
    for (const delay of [5, 10, 20, 40]) {
      q.addRateLimited('a');
      jest.advanceTimersByTime(delay - 1);
      expect(q.length).toBe(0);
      jest.advanceTimersByTime(1);
      expect(q.length).toBe(1);
      void q.get(); // takes the key synchronously
      q.done('a');
    }
    expect(q.failures('a')).toBe(4);
    expect(obs.counts.retried).toBe(4);
    q.forget('a');
    expect(q.failures('a')).toBe(0);
  });

  it('reports adds, depth, queue and work times', async () => {
    const obs = observer();
    const q = new WorkQueue(obs);
    q.add('a');
    q.add('b');
    expect(obs.counts.depth).toBe(2);
    const key = await q.get();
    expect(obs.counts.depth).toBe(1);
    expect(q.inFlight().has('a')).toBe(true);
    q.done(key!);
    expect(obs.counts).toMatchObject({ added: 2, queued: 1, worked: 1 });
  });

  it('on shutdown releases waiting workers and drops pending keys', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    await expect(waiting).resolves.toBeUndefined();
    q.add('a');
    await expect(q.get()).resolves.toBeUndefined();
  });
});

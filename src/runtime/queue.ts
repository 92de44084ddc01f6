import { AsyncLocalStorage } from 'node:async_hooks';
import { ItemBackoff } from './backoff.js';

/** What the queue reports; implemented with prom-client in metrics.ts. */
export interface QueueObserver {
  added(): void;
  retried(): void;
  depth(n: number): void;
  /** Time a key waited between becoming ready and being picked up, in seconds. */
  queued(seconds: number): void;
  /** Time a worker held a key, in seconds. */
  worked(seconds: number): void;
}

/**
 * Which keys go first: `urgent` ones (a change the cloud reported, waited for by a user) before
 * `normal` ones (watch events, requeues, the initial list), so that a burst of new objects does not
 * hold back the news about running ones.
 */
export type Lane = 'urgent' | 'normal';

const workLane = new AsyncLocalStorage<Lane>();

/** Runs `work` in `lane`: everything it awaits (its cloud calls) can tell with `currentLane`. */
export function inLane<T>(lane: Lane, work: () => T): T {
  return workLane.run(lane, work);
}

/** The lane of the work the caller runs for (its reconcile's key, or a change source's), if any. */
export function currentLane(): Lane | undefined {
  return workLane.getStore();
}

interface Dirty {
  addedAt: number;
  lane: Lane;
  /** Tells this addition's place in a lane from a stale one (a key promoted to urgent, or taken). */
  seq: number;
}

/** Keys in the order they became ready; entries that no longer match their key's addition are skipped. */
class ReadyLane {
  private entries: { key: string; seq: number }[] = [];
  private head = 0;

  push(key: string, seq: number): void {
    this.entries.push({ key, seq });
  }

  /** The first entry that `valid` accepts, or undefined. */
  shift(valid: (key: string, seq: number) => boolean): string | undefined {
    while (this.head < this.entries.length) {
      const { key, seq } = this.entries[this.head++] as { key: string; seq: number };
      if (this.head > 1024 && this.head * 2 > this.entries.length) {
        this.entries = this.entries.slice(this.head);
        this.head = 0;
      }
      if (valid(key, seq)) return key;
    }
    return undefined;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
  }
}

/**
 * A work queue of object keys with client-go semantics:
 * - fair: keys are handed out in the order they became ready, urgent ones first (see Lane);
 * - stingy: a key added many times before it is picked up is processed once;
 * - a key is never held by two workers; adds while it is processed run once after `done`;
 * - delayed adds (requeue-after) and per-key exponential backoff (`addRateLimited`, `forget`).
 * A key picked up by a worker loses any delayed add still pending: the reconcile that follows
 * decides when it is next due.
 */
export class WorkQueue {
  private readonly lanes = { urgent: new ReadyLane(), normal: new ReadyLane() };
  /** Keys waiting in a lane, not held by a worker. */
  private readonly ready = new Set<string>();
  private seq = 0;
  private readonly dirty = new Map<string, Dirty>();
  /** Keys held by workers: since when, and from which lane they were taken. */
  private readonly processing = new Map<string, { started: number; lane: Lane }>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly backoff: ItemBackoff;
  private shuttingDown = false;

  constructor(
    private readonly observer?: QueueObserver,
    backoff?: ItemBackoff,
  ) {
    this.backoff = backoff ?? new ItemBackoff();
  }

  get length(): number {
    return this.ready.size;
  }

  get isShutDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string, lane: Lane = 'normal'): void {
    if (this.shuttingDown) return;
    this.observer?.added();
    const dirty = this.dirty.get(key);
    if (dirty) {
      if (lane === 'urgent' && dirty.lane === 'normal') {
        dirty.lane = 'urgent';
        dirty.seq = ++this.seq;
        if (this.ready.has(key)) this.lanes.urgent.push(key, dirty.seq);
      }
      return;
    }
    this.dirty.set(key, { addedAt: performance.now(), lane, seq: ++this.seq });
    if (this.processing.has(key)) return;
    this.push(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = performance.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Requeues after this key's next backoff step, or after `atLeastMs` if that is later. */
  addRateLimited(key: string, atLeastMs = 0): void {
    this.observer?.retried();
    this.addAfter(key, Math.max(this.backoff.next(key), atLeastMs));
  }

  /** Consecutive failures recorded for a key. */
  failures(key: string): number {
    return this.backoff.count(key);
  }

  /** Resets a key's backoff after a success. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** Resolves with the next key, or undefined once the queue is shut down and drained of waiters. */
  get(): Promise<string | undefined> {
    if (this.length > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the end of processing; a key re-added meanwhile becomes ready again. */
  done(key: string): void {
    const held = this.processing.get(key);
    this.processing.delete(key);
    if (held !== undefined) this.observer?.worked((performance.now() - held.started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
  }

  /** Keys held by workers, with how long (ms) each has been held. */
  inFlight(): Map<string, number> {
    const now = performance.now();
    return new Map([...this.processing].map(([key, { started }]) => [key, now - started]));
  }

  /** The lane a key held by a worker was taken from. */
  laneOf(key: string): Lane | undefined {
    return this.processing.get(key)?.lane;
  }

  /** Stops handing out keys: waiting workers get undefined, pending and delayed keys are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.lanes.urgent.clear();
    this.lanes.normal.clear();
    this.ready.clear();
    this.dirty.clear();
    this.observer?.depth(0);
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private push(key: string): void {
    const dirty = this.dirty.get(key) as Dirty;
    this.lanes[dirty.lane].push(key, dirty.seq);
    this.ready.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.take());
      return;
    }
    this.observer?.depth(this.length);
  }

  private take(): string {
    const valid = (key: string, seq: number): boolean =>
      this.ready.has(key) && this.dirty.get(key)?.seq === seq;
    const key = (this.lanes.urgent.shift(valid) ?? this.lanes.normal.shift(valid)) as string;
    this.ready.delete(key);
    const { addedAt, lane } = this.dirty.get(key) as Dirty;
    this.dirty.delete(key);
    const pending = this.delayed.get(key);
    if (pending) {
      clearTimeout(pending.timer);
      this.delayed.delete(key);
    }
    const now = performance.now();
    this.processing.set(key, { started: now, lane });
    this.observer?.queued((now - addedAt) / 1000);
    this.observer?.depth(this.length);
    return key;
  }
}

/**
 * A client-side limiter shared by every controller calling one AWS region. It is a token bucket
 * whose rate follows AIMD: each success adds a little rate back, each throttling answer halves it,
 * so the operator settles just under the account's real (unpublished) limit.
 */
export interface AimdOptions {
  /** Upper bound and starting rate, requests per second (the --max-api-rate flag). */
  readonly maxRate: number;
  readonly minRate?: number;
  /** Rate added per successful request. */
  readonly increase?: number;
  /** Factor applied on throttling. */
  readonly decrease?: number;
  readonly now?: () => number;
}

/**
 * Which waiting calls get the next token: `urgent` ones (news about a change a user waits for: a
 * sweep's List, the describe it triggers) before `normal` ones (creates of new objects, requeued
 * polls), so a burst of new objects does not delay the news about running ones. Urgent calls never
 * take the whole budget: while both wait, every NORMAL_SHARE-th token goes to a normal one.
 */
export const CALL_PRIORITIES = ['urgent', 'normal'] as const;
export type CallPriority = (typeof CALL_PRIORITIES)[number];

/*
 * Sweeps of many identities and kinds could ask for more than the region's budget on their own;
 * creates and deletes must still make progress, if slowly.
 */
const NORMAL_SHARE = 5;

interface Waiter {
  grant(): void;
}

export class AimdRateLimiter {
  readonly maxRate: number;
  private readonly minRate: number;
  private readonly increase: number;
  private readonly decrease: number;
  private readonly now: () => number;
  private readonly burst: number;
  private currentRate: number;
  private tokens: number;
  private refilledAt: number;
  private readonly waiting: Record<CallPriority, Waiter[]> = { urgent: [], normal: [] };
  private timer: NodeJS.Timeout | undefined;
  /** Tokens granted to urgent calls in a row while normal ones waited. */
  private urgentRun = 0;

  constructor(options: AimdOptions) {
    if (!(options.maxRate > 0)) throw new Error(`maxRate must be positive, got ${options.maxRate}`);
    this.maxRate = options.maxRate;
    this.minRate = Math.min(options.minRate ?? 0.2, options.maxRate);
    this.increase = options.increase ?? Math.max(options.maxRate / 100, 0.01);
    this.decrease = options.decrease ?? 0.5;
    this.now = options.now ?? Date.now;
    this.burst = Math.max(1, Math.ceil(options.maxRate));
    this.currentRate = options.maxRate;
    this.tokens = this.burst;
    this.refilledAt = this.now();
  }

  get rate(): number {
    return this.currentRate;
  }

  /** Calls of a priority waiting for a token. */
  waitingCalls(priority: CallPriority): number {
    return this.waiting[priority].length;
  }

  private get queued(): number {
    return this.waiting.urgent.length + this.waiting.normal.length;
  }

  /**
   * Waits for a token: urgent callers are served before every normal one, each priority in arrival
   * order. A caller whose signal fires leaves the line at once, without spending a token.
   */
  acquire(signal?: AbortSignal, priority: CallPriority = 'normal'): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.refill();
    if (this.queued === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const line = this.waiting[priority];
      const onAbort = (): void => {
        line.splice(line.indexOf(waiter), 1);
        if (this.queued === 0) this.stopTimer();
        reject(abortReason(signal as AbortSignal));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      line.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.schedule();
    });
  }

  onSuccess(): void {
    this.currentRate = Math.min(this.maxRate, this.currentRate + this.increase);
  }

  onThrottle(): void {
    this.refill();
    this.currentRate = Math.max(this.minRate, this.currentRate * this.decrease);
    // Tokens banked at the old rate would let a burst through right after the throttle.
    this.tokens = 0;
    if (this.timer) {
      this.stopTimer();
      this.schedule();
    }
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.currentRate) / 1000);
    this.refilledAt = now;
  }

  private dispatch(): void {
    this.timer = undefined;
    this.refill();
    while (this.tokens >= 1) {
      const waiter = this.next();
      if (!waiter) break;
      this.tokens -= 1;
      waiter.grant();
    }
    this.schedule();
  }

  private next(): Waiter | undefined {
    const { urgent, normal } = this.waiting;
    if (normal.length === 0 || urgent.length === 0) {
      this.urgentRun = 0;
      return urgent.shift() ?? normal.shift();
    }
    if (++this.urgentRun < NORMAL_SHARE) return urgent.shift();
    this.urgentRun = 0;
    return normal.shift();
  }

  /** Wakes up when the next token is due, while anyone waits. */
  private schedule(): void {
    if (this.timer || this.queued === 0) return;
    const dueMs = Math.max(0, ((1 - this.tokens) / this.currentRate) * 1000);
    this.timer = setTimeout(() => {
      this.dispatch();
    }, dueMs);
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function abortReason(signal: AbortSignal): Error {
  // The same error as an aborted timer from node:timers/promises, which callers already know.
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

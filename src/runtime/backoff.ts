/** Exponential delays, as client-go computes them for work items and for list/watch restarts. */

export interface ExponentialOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly factor?: number;
}

/** The delay after `failures` previous failures: base · factor^failures, capped. */
export function exponentialDelay(failures: number, options: ExponentialOptions): number {
  const delay = options.baseMs * Math.pow(options.factor ?? 2, failures);
  return Number.isFinite(delay) ? Math.min(delay, options.maxMs) : options.maxMs;
}

/** Per-key failure counting for the work queue: 5 ms doubling up to 1000 s (about 16 min). */
export class ItemBackoff {
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: ExponentialOptions = { baseMs: 5, maxMs: 1_000_000 }) {}

  /** Counts one more failure of `key` and returns how long to wait before retrying it. */
  next(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    return exponentialDelay(failures, this.options);
  }

  count(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}

export interface RestartBackoffOptions extends ExponentialOptions {
  /** Up to this fraction of the delay is added at random, so restarts of many watches spread out. */
  readonly jitter?: number;
  /** A failure this long after the previous one starts the sequence again. */
  readonly resetAfterMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * Backoff for restarting a loop that failed: about 0.8 s doubling to 30 s, jittered, and started
 * again by `succeeded()` or after 2 min without failure.
 */
export class RestartBackoff {
  private failures = 0;
  private lastFailureAt = -Infinity;
  private readonly options: Required<RestartBackoffOptions>;

  constructor(options: Partial<RestartBackoffOptions> = {}) {
    this.options = {
      baseMs: 800,
      maxMs: 30_000,
      factor: 2,
      jitter: 1,
      resetAfterMs: 120_000,
      now: Date.now,
      random: Math.random,
      ...options,
    };
  }

  next(): number {
    const now = this.options.now();
    if (now - this.lastFailureAt > this.options.resetAfterMs) this.failures = 0;
    this.lastFailureAt = now;
    const delay = exponentialDelay(this.failures++, this.options);
    return Math.min(this.options.maxMs, delay * (1 + this.options.random() * this.options.jitter));
  }

  /** The loop works again: the next failure waits the base delay. */
  succeeded(): void {
    this.failures = 0;
  }
}

/** Spreads periodic work (drift checks, watch timeouts) so that objects created together do not stay in step. */
export function spread(ms: number, fraction = 0.1, random: () => number = Math.random): number {
  return Math.round(ms * (1 - fraction + 2 * fraction * random()));
}

/** Resolves after `ms`, or at once when `signal` fires. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
  });
}

import { exponentialDelay } from '../../runtime/backoff.js';

/** The first wait after a failed List; it doubles with each failure in a row. */
const FIRST_RETRY_MS = 1_000;

/**
 * Failed List calls, per key (one identity and region, one model package group): only the key that
 * failed waits before its next List, one second doubling up to `maxMs`, so a tenant whose role may
 * not list costs a few calls and warnings an hour instead of one per sweep, and nobody else waits.
 * A success forgets the failures.
 */
export class ListingBackoff {
  private readonly failing = new Map<string, { failures: number; retryAt: number }>();

  constructor(private readonly maxMs: number) {}

  /** When `key` may be listed again (−∞ unless its last List failed). */
  retryAt(key: string): number {
    return this.failing.get(key)?.retryAt ?? -Infinity;
  }

  /** Counts a failed List of `key` at `now`; returns the failures in a row and the wait before the next. */
  failed(key: string, now: number): { failures: number; retryInMs: number } {
    const failures = (this.failing.get(key)?.failures ?? 0) + 1;
    const retryInMs = exponentialDelay(failures - 1, {
      baseMs: Math.min(FIRST_RETRY_MS, this.maxMs),
      maxMs: this.maxMs,
    });
    this.failing.set(key, { failures, retryAt: now + retryInMs });
    return { failures, retryInMs };
  }

  succeeded(key: string): void {
    this.failing.delete(key);
  }

  /** Forgets the keys that are no longer listed at all. */
  keepOnly(listed: (key: string) => boolean): void {
    for (const key of this.failing.keys()) if (!listed(key)) this.failing.delete(key);
  }
}

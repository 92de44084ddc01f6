import type { Fault, RateLimit } from './config.js';

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/** Token buckets per operation; `nowMs` is passed in so the arithmetic stays testable. */
export class Throttle {
  private buckets = new Map<string, Bucket>();

  constructor(private limits: Record<string, RateLimit> = {}) {}

  configure(limits: Record<string, RateLimit>): void {
    this.limits = limits;
    this.buckets = new Map();
  }

  /**
   * The bucket an operation draws from: its own entry, else the longest prefix pattern that matches
   * it (`'List*'`, `'Describe*'`), else `'*'`. A pattern's bucket is shared by every operation it covers.
   */
  private keyOf(operation: string): string | undefined {
    if (operation in this.limits) return operation;
    let best: string | undefined;
    for (const key of Object.keys(this.limits)) {
      if (!key.endsWith('*') || !operation.startsWith(key.slice(0, -1))) continue;
      if (best === undefined || key.length > best.length) best = key;
    }
    return best;
  }

  /** Takes a token for the operation; false means the call is throttled. */
  take(operation: string, nowMs: number): boolean {
    const key = this.keyOf(operation);
    if (key === undefined) return true;
    const limit = this.limits[key];
    if (!limit) return true;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.burst, refilledAt: nowMs };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((nowMs - bucket.refilledAt) / 1000) * limit.ratePerSecond,
    );
    bucket.refilledAt = nowMs;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/**
 * The first configured fault that applies to the call, drawing `random()` against its rate.
 * A fault with a `count` is used up after that many injections.
 */
export function pickFault(faults: Fault[], operation: string, random: () => number): Fault | undefined {
  for (const fault of faults) {
    if (fault.operation !== undefined && fault.operation !== '*' && fault.operation !== operation) continue;
    if (fault.count !== undefined && fault.count <= 0) continue;
    if (random() >= fault.rate) continue;
    if (fault.count !== undefined) fault.count--;
    return fault;
  }
  return undefined;
}

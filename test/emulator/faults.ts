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

  /** Takes a token for the operation; false means the call is throttled. */
  take(operation: string, nowMs: number): boolean {
    const key = operation in this.limits ? operation : '*';
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

import { setTimeout as sleep } from 'node:timers/promises';

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

  /** Takes one token and returns how long the caller must wait before using it, in ms. */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.currentRate) / 1000);
    this.refilledAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.currentRate) * 1000;
  }

  /** Waits for a token; a caller that gives up (its signal fires) hands its token back. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait <= 0) return;
    try {
      await sleep(wait, undefined, signal ? { signal } : undefined);
    } catch (err) {
      this.tokens += 1;
      throw err;
    }
  }

  onSuccess(): void {
    this.currentRate = Math.min(this.maxRate, this.currentRate + this.increase);
  }

  onThrottle(): void {
    this.currentRate = Math.max(this.minRate, this.currentRate * this.decrease);
    // Tokens banked at the old rate would let a burst through right after the throttle.
    this.tokens = Math.min(this.tokens, 0);
  }
}

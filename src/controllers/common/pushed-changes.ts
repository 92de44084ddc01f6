/*
 * Changes SageMaker pushes (EventBridge state-change events, through SQS), and where they stand in
 * for the sweeps.
 */

/** A change SageMaker pushed (an EventBridge state-change event). */
export interface PushedChange {
  resourceType: string;
  name: string;
  region: string;
  /** The account the resource is in. */
  account: string;
}

/** Where a kind's pushed changes go: the objects they name reconcile. */
export interface ChangeReceiver {
  changed(change: PushedChange): void;
}

/** Pushed changes (SQS fed by EventBridge); while they cover an account and region, its sweeps only run at the drift interval. */
export interface PushChannel {
  /** Delivers changes until `signal` fires; never rejects. */
  run(onChange: (change: PushedChange) => void, signal: AbortSignal): Promise<void>;
  healthy(): boolean;
}

/**
 * Where pushed events stand for the sweeps: each account and region an event came from, until a
 * drift interval has passed without one. EventBridge rules are per account and region, so one
 * account's events say nothing of another's; and a rule that stops delivering (deleted, its
 * target's permission revoked) leaves its account and region to the sweeps again.
 */
export class PushCoverage {
  private readonly lastEventAt = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  delivered(account: string, region: string, now: number): void {
    for (const [key, at] of this.lastEventAt) if (now - at >= this.windowMs) this.lastEventAt.delete(key);
    this.lastEventAt.set(coverageKey(account, region), now);
  }

  covers(account: string | undefined, region: string, now: number): boolean {
    if (account === undefined) return false;
    const at = this.lastEventAt.get(coverageKey(account, region));
    return at !== undefined && now - at < this.windowMs;
  }
}

const coverageKey = (account: string, region: string): string => `${account}|${region}`;

/**
 * Whether this replica may act on the world (cloud calls, Kubernetes writes) at this very moment.
 *
 * With leader election a replica may act until its last successful lease renewal is older than the
 * renew deadline, counted from when that renewal was sent. It is judged on the monotonic clock at
 * every call, so a process that was paused past its lease (SIGSTOP, a stalled VM) refuses to act on
 * resuming, before its election loop has even run and noticed that the lease is gone.
 */
export class ActingFence {
  private validUntil = -Infinity;
  private unconditional = false;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A single replica without leader election acts until it is revoked (shutdown). */
  actAlone(): void {
    this.unconditional = true;
  }

  /** A renewal sent at `sentAt` (this fence's clock) succeeded. */
  renewed(sentAt: number, renewDeadlineMs: number): void {
    this.validUntil = Math.max(this.validUntil, sentAt + renewDeadlineMs);
  }

  revoke(): void {
    this.unconditional = false;
    this.validUntil = -Infinity;
  }

  mayAct(): boolean {
    return this.unconditional || this.now() < this.validUntil;
  }

  /** The fence's clock, for stamping renewals. */
  time(): number {
    return this.now();
  }
}

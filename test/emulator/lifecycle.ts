/**
 * Time-driven state changes. A resource carries the transitions planned for it; they are applied
 * lazily when the resource is read and, for side effects nobody reads (S3 files, schedule runs),
 * by one shared timer that wakes at the earliest due transition. No timer per resource.
 */
export interface Transition {
  /** Epoch seconds at which the transition is due. */
  at: number;
  /** Applies the change; a promise means a side effect that must finish before later transitions. */
  run(): void | Promise<void>;
}

export interface Live {
  pending: Transition[];
  busy?: Promise<void> | undefined;
  /** The due time of this resource's valid entry in the timer queue. */
  wakeAt?: number | undefined;
}

interface Wake {
  at: number;
  live: Live;
}

export class Lifecycle {
  private readonly queue: Wake[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Replaces whatever was planned for the resource. */
  plan(live: Live, transitions: Transition[]): void {
    live.pending = transitions.slice().sort((a, b) => a.at - b.at);
    this.wake(live);
  }

  /** Adds to what is planned. */
  add(live: Live, transition: Transition): void {
    this.plan(live, [...live.pending, transition]);
  }

  /** Applies every due transition; returns a promise only when a side effect is in flight. */
  settle(live: Live): void | Promise<void> {
    if (live.busy) return live.busy.then(() => this.settle(live));
    const now = this.now();
    while (live.pending.length > 0 && live.pending[0]!.at <= now) {
      const result = live.pending.shift()!.run();
      if (result) {
        live.busy = result.finally(() => {
          live.busy = undefined;
        });
        return live.busy.then(() => this.settle(live));
      }
    }
    this.wake(live);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private wake(live: Live): void {
    const next = live.pending[0];
    if (!next || live.wakeAt === next.at) return;
    live.wakeAt = next.at;
    this.push({ at: next.at, live });
    if (next.at < this.timerAt) this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    const first = this.queue[0];
    if (!first) {
      this.timerAt = Infinity;
      return;
    }
    this.timerAt = first.at;
    const delayMs = Math.min(Math.max(0, (first.at - this.now()) * 1000), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      this.fire();
    }, delayMs);
    this.timer.unref();
  }

  private fire(): void {
    this.timerAt = Infinity;
    const now = this.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const { at, live } = this.pop();
      // Entries superseded by a later plan are skipped; the valid one is still queued.
      if (live.wakeAt !== at) continue;
      live.wakeAt = undefined;
      try {
        const settled = this.settle(live);
        if (settled) settled.catch(this.onError);
      } catch (error) {
        this.onError(error);
      }
    }
    this.arm();
  }

  // A binary min-heap on `at`.
  private push(wake: Wake): void {
    const q = this.queue;
    q.push(wake);
    let i = q.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (q[parent]!.at <= wake.at) break;
      q[i] = q[parent]!;
      i = parent;
    }
    q[i] = wake;
  }

  private pop(): Wake {
    const q = this.queue;
    const top = q[0]!;
    const last = q.pop()!;
    if (q.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        const at = (k: number): number => (k === i ? last.at : q[k]!.at);
        if (l < q.length && at(l) < at(smallest)) smallest = l;
        if (r < q.length && at(r) < at(smallest)) smallest = r;
        if (smallest === i) break;
        q[i] = q[smallest]!;
        i = smallest;
      }
      q[i] = last;
    }
    return top;
  }
}

/** Settles many resources; waits only if one of them has a side effect in flight. */
export function settleAll(lifecycle: Lifecycle, lives: Iterable<Live>): void | Promise<void> {
  const waits: Promise<void>[] = [];
  for (const live of lives) {
    const settled = lifecycle.settle(live);
    if (settled) waits.push(settled);
  }
  if (waits.length > 0) return Promise.all(waits).then(() => undefined);
}

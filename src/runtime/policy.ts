import { findCondition } from './conditions.js';
import type { Condition } from './conditions.js';
import type { Classification } from './errors.js';
import { deepEqual } from './json.js';
import type { InformerEvent } from './informer.js';
import type { KubeObject } from './kinds.js';

/** The loop's decision after a failed reconcile, as a pure function of the error class. */
export interface ErrorPolicy {
  /** 'backoff': per-object exponential; a number: fixed delay in ms; 'none': wait for a spec change. */
  readonly requeue: 'backoff' | 'none' | number;
  /** Set Synced=False with the classification's reason and message (and observedGeneration). */
  readonly reportSynced: boolean;
  readonly warningEvent: boolean;
  /** Counted as a terminal error; not retried until the generation changes. */
  readonly terminal: boolean;
}

export interface PolicyTimings {
  /** Requeue delay for "in progress" answers. */
  readonly pollIntervalMs: number;
  /** Requeue delay for quota and access errors, which are fixed outside Kubernetes. */
  readonly slowRetryMs: number;
  /** Transient failures in a row before Synced turns False. */
  readonly transientThreshold: number;
}

export const DEFAULT_TIMINGS: PolicyTimings = {
  pollIntervalMs: 30_000,
  slowRetryMs: 300_000,
  transientThreshold: 3,
};

export function errorPolicy(
  c: Classification,
  failures: number,
  timings: PolicyTimings = DEFAULT_TIMINGS,
): ErrorPolicy {
  switch (c.errorClass) {
    case 'transient': {
      const report = failures + 1 >= timings.transientThreshold;
      return {
        requeue: c.retryAfterMs ?? 'backoff',
        reportSynced: report,
        warningEvent: report,
        terminal: false,
      };
    }
    case 'throttled':
      return {
        requeue: c.retryAfterMs ?? 'backoff',
        reportSynced: true,
        warningEvent: false,
        terminal: false,
      };
    case 'inProgress':
      return {
        requeue: c.retryAfterMs ?? timings.pollIntervalMs,
        reportSynced: false,
        warningEvent: false,
        terminal: false,
      };
    case 'quota':
    case 'accessDenied':
      return {
        requeue: c.retryAfterMs ?? timings.slowRetryMs,
        reportSynced: true,
        warningEvent: true,
        terminal: false,
      };
    case 'notFound':
      return {
        requeue: c.retryAfterMs ?? 'backoff',
        reportSynced: true,
        warningEvent: true,
        terminal: false,
      };
    case 'alreadyExists':
    case 'terminal':
      return { requeue: 'none', reportSynced: true, warningEvent: true, terminal: true };
  }
}

/**
 * Whether a watch event of the controller's own kind calls for a reconcile. Status-only updates do
 * not (most are the controller's own writes); spec (generation), deletion, labels and annotations do.
 */
export function needsReconcile(event: InformerEvent<KubeObject>): boolean {
  if (event.type !== 'updated') return true;
  const a = event.old.metadata ?? {};
  const b = event.obj.metadata ?? {};
  return (
    a.generation !== b.generation ||
    a.uid !== b.uid ||
    Boolean(a.deletionTimestamp) !== Boolean(b.deletionTimestamp) ||
    !deepEqual(a.labels, b.labels) ||
    !deepEqual(a.annotations, b.annotations)
  );
}

/**
 * Whether the object's current generation already failed in a way that only a new generation can
 * fix: status says the reconcile of this very generation ended in Synced=False with one of
 * `reasons`. Read from status, so it holds across restarts and leader changes, and it
 * is the generation the reconcile started from that counts, never one that landed meanwhile.
 */
export function awaitsSpecChange(obj: KubeObject, reasons: ReadonlySet<string>): boolean {
  const generation = obj.metadata?.generation;
  const status = obj.status as { observedGeneration?: unknown; conditions?: Condition[] } | undefined;
  if (generation === undefined || status?.observedGeneration !== generation) return false;
  const synced = findCondition(status.conditions, 'Synced');
  return synced?.status === 'False' && synced.observedGeneration === generation && reasons.has(synced.reason);
}

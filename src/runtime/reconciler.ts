import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { CacheReader } from './cache.js';
import type { EventSink } from './events.js';
import type { KindDescriptor, KubeObject } from './kinds.js';
import type { StatusHelper } from './status.js';

/**
 * What a reconcile or finalize function returns. Errors are thrown, not returned: the loop classifies
 * them and decides retry, conditions and events.
 */
export type ReconcileResult =
  | { readonly type: 'done' }
  | { readonly type: 'requeueAfter'; readonly ms: number }
  | { readonly type: 'awaitChange' };

/** The object is as specified. It is looked at again after the drift interval (±10 %), or on any change. */
export const done: ReconcileResult = { type: 'done' };

/** Something is still moving (cloud state changing): look again after `ms`. */
export function requeueAfter(ms: number): ReconcileResult {
  return { type: 'requeueAfter', ms };
}

/** Nothing can change unless the object does (e.g. a finished job): no periodic drift check. */
export const awaitChange: ReconcileResult = { type: 'awaitChange' };

export type DeletionPolicy = 'Delete' | 'Retain';

export interface ReconcileContext<S = Record<string, unknown>> {
  /** Child logger with controller, namespace, name and reconcileID. */
  readonly log: Logger;
  /** Aborted when this replica must stop acting: leadership lost or shutdown deadline passed. */
  readonly signal: AbortSignal;
  /** Status changes, written once at the end (or on flush()) and only if something changed. */
  readonly status: StatusHelper<S>;
  /** events.k8s.io/v1 events about this object, deduplicated into series. */
  readonly events: EventSink;
  /** Cached reads of this kind and the kinds it references. */
  readonly cache: CacheReader;
  readonly kubeConfig: KubeConfig;
  /** Consecutive failed attempts before this one. */
  readonly retries: number;
  /** spec.deletionPolicy, or the operator's default. */
  readonly deletionPolicy: DeletionPolicy;
  readonly driftIntervalMs: number;
}

/**
 * A kind this controller refers to by name in the same namespace (or, for a cluster-scoped kind, by
 * name alone: an object's Namespace); its changes requeue the referrers.
 */
export interface Reference<T extends KubeObject> {
  readonly kind: KindDescriptor;
  names(obj: T): readonly string[];
  /**
   * For references by label selector: whether `obj` selects `target` (of the same namespace). A
   * changed target requeues every object that selects it before or after the change.
   */
  readonly selects?: (obj: T, target: KubeObject) => boolean;
}

/**
 * What a change source sees of its controller: the cached objects of the kind and a way to have one
 * reconciled now.
 */
export interface ChangeFeed<T extends KubeObject> {
  /** Fires when the controller stops (leadership lost, shutdown): the source must return. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Cached reads of this kind and the kinds it references. */
  readonly cache: CacheReader;
  objects(): readonly T[];
  /**
   * Queues the object for a reconcile now, ahead of watch events and requeues (coalesced with any
   * queued one). `referenced`: the change is in something the object refers to outside Kubernetes,
   * so it reconciles even after a terminal error, as a referenced object's change does.
   */
  trigger(obj: T, referenced?: boolean): void;
}

/**
 * Something outside Kubernetes that knows when objects need a look (a cloud's change feed), so that
 * the controller need not poll each one. It runs while the controller runs, only on the leader;
 * when it throws, it is logged and run again after a backoff.
 */
export interface ChangeSource<T extends KubeObject> {
  readonly name: string;
  run(feed: ChangeFeed<T>): Promise<void>;
}

/**
 * A controller: a reconcile function, an optional finalize function, and what it watches.
 *
 * Contract for both functions:
 * - level-based: read the object (and the cloud), move one step toward the spec, return;
 * - idempotent: they run again after restarts, conflicts and requeues with the same input;
 * - cancel-safe at every await: a crash or abort between two calls must leave a state the next
 *   reconcile can finish from (record names in status before creating, check ownership after);
 * - never write spec; write status only through ctx.status.
 *
 * What the loop does for you: watching and caching, one worker per object at a time, retries with
 * per-object backoff, the finalizer (added before the first reconcile, removed after finalize
 * succeeds or at once under deletionPolicy Retain), the Synced condition and observedGeneration
 * (written at once on the first reconcile), the kstatus conditions derived from Ready and Synced,
 * Warning events for errors that need a human, no retry of terminal errors until the spec changes,
 * periodic drift checks, metrics and structured logs.
 */
export interface ControllerDefinition<T extends KubeObject = KubeObject, S = Record<string, unknown>> {
  readonly kind: KindDescriptor;
  reconcile(ctx: ReconcileContext<S>, obj: T): ReconcileResult | Promise<ReconcileResult>;
  /** Cleanup before the object goes away; without it, the controller adds no finalizer. */
  finalize?(ctx: ReconcileContext<S>, obj: T): ReconcileResult | Promise<ReconcileResult>;
  readonly references?: readonly Reference<T>[];
  readonly changeSources?: readonly ChangeSource<T>[];
  /** Default: `<group>/finalizer`. */
  readonly finalizer?: string;
  /** Workers for this kind; default: the operator's --concurrency. */
  readonly concurrency?: number;
}

/** Identity function that gives TypeScript the object type for reconcile, finalize and references. */
export function defineController<T extends KubeObject, S = Record<string, unknown>>(
  definition: ControllerDefinition<T, S>,
): ControllerDefinition<T, S> {
  return definition;
}

import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { exponentialDelay, pause, RestartBackoff, spread } from './backoff.js';
import type { Cache } from './cache.js';
import { classify, errorMessage, ReconcileError } from './errors.js';
import type { Classification, Classifier } from './errors.js';
import type { EventRecorder } from './events.js';
import { finalizerPatch, hasFinalizer } from './finalizers.js';
import type { InformerEvent } from './informer.js';
import { keyOf, objectKey, splitKey } from './kinds.js';
import type { KubeObject } from './kinds.js';
import { kstatusConditions } from './kstatus.js';
import type { RuntimeMetrics } from './metrics.js';
import type { ActingFence } from './fence.js';
import { awaitsSpecChange, errorPolicy, needsReconcile } from './policy.js';
import type { PolicyTimings } from './policy.js';
import { inLane, WorkQueue } from './queue.js';
import { awaitChange, done } from './reconciler.js';
import type {
  ChangeSource,
  ControllerDefinition,
  DeletionPolicy,
  ReconcileContext,
  ReconcileResult,
} from './reconciler.js';
import { ReferenceIndex } from './references.js';
import { StatusHelper } from './status.js';
import type { ConditionDeriver } from './status.js';
import { Fenced, KubernetesWriteError, ObjectWriter } from './writer.js';

export interface ControllerDeps {
  readonly kc: KubeConfig;
  readonly cache: Cache;
  readonly events: EventRecorder;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  readonly classifier: Classifier | undefined;
  readonly concurrency: number;
  readonly driftIntervalMs: number;
  readonly defaultDeletionPolicy: DeletionPolicy;
  readonly fieldManager: string;
  readonly timings: PolicyTimings;
  /** Whether this replica may act now (valid lease, not shut down). */
  readonly fence: ActingFence;
  /** A reconcile still running after this long is abandoned (its signal fires) and retried with backoff. */
  readonly reconcileTimeoutMs: number;
  /** Synced=False reasons that are not retried until the generation changes. */
  readonly specChangeReasons: ReadonlySet<string>;
  /** Ready=False and Synced=False reasons after which the resource cannot reach its spec: Stalled=True. */
  readonly terminalReasons?: ReadonlySet<string>;
}

const MAX_MESSAGE = 32_768;
const WRITE_RETRY_MAX_MS = 300_000;

/**
 * Runs one controller definition: watch events become keys in a work queue, workers take keys and
 * run reconcile or finalize with everything the definition's contract promises (reconciler.ts).
 * `start` and `stop` may alternate (leadership gained and lost); the cache keeps running throughout.
 */
export class Controller {
  readonly name: string;
  private queue: WorkQueue | undefined;
  private workers: Promise<void>[] = [];
  private sources: Promise<void>[] = [];
  private abort = new AbortController();
  private sourcesAbort = new AbortController();
  private readonly writer: ObjectWriter;
  private readonly indexes: ReferenceIndex[];
  private readonly finalizer: string;
  /** Keys queued because an object they refer to changed: they reconcile even after a terminal error. */
  private readonly referenceTriggered = new Set<string>();
  /**
   * The object as this controller last wrote it, per key, until the cache has caught up with that
   * write: a reconcile that starts right after another must not work from the older cached copy
   * (it would not see a name or ARN recorded just before, and could create again).
   */
  private readonly ownWrites = new Map<string, KubeObject>();
  private busy = 0;
  private readonly busyGauge: { busy(n: number): void };
  private readonly derive: ConditionDeriver;

  constructor(
    private readonly definition: ControllerDefinition,
    private readonly deps: ControllerDeps,
  ) {
    this.name = definition.kind.kind.toLowerCase();
    this.finalizer = definition.finalizer ?? `${definition.kind.group}/finalizer`;
    this.writer = new ObjectWriter({
      kc: deps.kc,
      kind: definition.kind,
      fieldManager: deps.fieldManager,
      mayWrite: () => !this.abort.signal.aborted && deps.fence.mayAct(),
      onWrite: (purpose) => {
        deps.metrics.wrote(definition.kind.kind, purpose);
      },
    });
    this.indexes = (definition.references ?? []).map(() => new ReferenceIndex());
    this.busyGauge = deps.metrics.workers(this.name, this.concurrency);
    const terminalReasons = deps.terminalReasons ?? new Set<string>();
    this.derive = (conditions, obj) => kstatusConditions(conditions, obj, terminalReasons);
    this.watch();
  }

  private get concurrency(): number {
    return this.definition.concurrency ?? this.deps.concurrency;
  }

  private get log(): Logger {
    return this.deps.log;
  }

  /** Starts workers and queues every cached object once (call after the cache has synced). */
  start(): void {
    if (this.queue) return;
    this.abort = new AbortController();
    const queue: WorkQueue = new WorkQueue(
      this.deps.metrics.queue(this.name, (): Map<string, number> => queue.inFlight()),
    );
    this.queue = queue;
    for (const obj of this.deps.cache.list(this.definition.kind)) queue.add(keyOf(obj));
    this.workers = Array.from({ length: this.concurrency }, () => this.work(queue));
    this.sourcesAbort = new AbortController();
    const sources = this.definition.changeSources ?? [];
    this.sources = sources.map((source) => this.runSource(source, queue, this.sourcesAbort.signal));
  }

  /** Runs a change source until the controller stops, again after a backoff whenever it fails. */
  private async runSource(
    source: ChangeSource<KubeObject>,
    queue: WorkQueue,
    signal: AbortSignal,
  ): Promise<void> {
    const log = this.log.child({ controller: this.name, source: source.name });
    const feed = {
      signal,
      log,
      cache: this.deps.cache,
      objects: () => this.deps.cache.list(this.definition.kind),
      trigger: (obj: KubeObject, referenced = false) => {
        if (referenced) this.referenceTriggered.add(keyOf(obj));
        queue.add(keyOf(obj), 'urgent');
      },
    };
    const backoff = new RestartBackoff();
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      try {
        // A source looks for changes a user waits to see: its calls go before routine ones.
        await inLane('urgent', () => source.run(feed));
        if (stopped()) return;
        log.warn('change source returned while the controller runs; restarting it');
      } catch (err) {
        if (stopped()) return;
        log.error({ err }, 'change source failed; restarting it');
      }
      await pause(backoff.next(), signal);
    }
  }

  /**
   * Stops taking keys, lets in-flight reconciles finish for up to `graceMs`, then aborts them: their
   * signal fires, their writes are refused and their workers are freed at once.
   */
  async stop(graceMs: number): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    this.queue = undefined;
    queue.shutDown();
    this.sourcesAbort.abort(new Fenced('the controller stopped'));
    const all = Promise.all(this.workers);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      all.then(() => true),
      new Promise<boolean>(
        (resolve) =>
          (timer = setTimeout(() => {
            resolve(false);
          }, graceMs)),
      ),
    ]);
    clearTimeout(timer);
    if (!finished)
      this.log.warn(
        { controller: this.name, inFlight: [...queue.inFlight().keys()] },
        'aborting in-flight reconciles',
      );
    this.abort.abort(new Fenced('the controller stopped'));
    await Promise.all([all, ...this.sources]);
  }

  private watch(): void {
    const { cache } = this.deps;
    const { kind, references = [] } = this.definition;
    cache.on(kind, (event: InformerEvent<KubeObject>) => {
      const key = keyOf(event.obj);
      references.forEach((ref, i) => {
        const namespace = ref.kind.clusterScoped ? '' : (event.obj.metadata?.namespace ?? '');
        if (event.type === 'deleted') this.indexes[i]?.delete(key);
        else
          this.indexes[i]?.set(
            key,
            ref.names(event.obj).map((name) => objectKey(namespace, name)),
          );
      });
      if (event.type === 'deleted') this.referenceTriggered.delete(key);
      const written = this.ownWrites.get(key);
      if (written && (event.type === 'deleted' || !isOlder(event.obj, written))) this.ownWrites.delete(key);
      if (needsReconcile(event)) this.queue?.add(key);
    });
    references.forEach((ref, i) => {
      cache.on(ref.kind, (event: InformerEvent<KubeObject>) => {
        const queue = this.queue;
        if (!queue) return;
        const referrers = new Set(this.indexes[i]?.referrers(keyOf(event.obj)));
        if (ref.selects) for (const key of this.selecting(ref.selects, event)) referrers.add(key);
        for (const referrer of referrers) {
          this.referenceTriggered.add(referrer);
          queue.add(referrer);
        }
      });
    });
  }

  /** Keys of this kind's objects, in the target's namespace, that select the target before or after the event. */
  private selecting(
    selects: (obj: KubeObject, target: KubeObject) => boolean,
    event: InformerEvent<KubeObject>,
  ): string[] {
    const targets = event.type === 'updated' ? [event.obj, event.old] : [event.obj];
    return this.deps.cache
      .list(this.definition.kind, event.obj.metadata?.namespace ?? '')
      .filter((obj) => targets.some((target) => selects(obj, target)))
      .map(keyOf);
  }

  private async work(queue: WorkQueue): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      this.busyGauge.busy(++this.busy);
      try {
        await inLane(queue.laneOf(key) ?? 'normal', () => this.process(queue, key));
      } catch (err) {
        // process() handles reconcile errors; this is a bug in the loop itself, which must not kill the worker.
        this.log.error({ err, controller: this.name, key }, 'unexpected error in controller loop');
        queue.addRateLimited(key);
      } finally {
        this.busyGauge.busy(--this.busy);
        queue.done(key);
      }
    }
  }

  private async process(queue: WorkQueue, key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const triggeredByReference = this.referenceTriggered.delete(key);
    const cached = this.latest(key, this.deps.cache.get(this.definition.kind, namespace, name));
    if (!cached) {
      queue.forget(key);
      return;
    }
    const deleting = Boolean(cached.metadata?.deletionTimestamp);
    if (!deleting && !triggeredByReference && awaitsSpecChange(cached, this.deps.specChangeReasons)) {
      queue.forget(key);
      return;
    }

    const reconcileID = randomUUID();
    const log = this.log.child({ controller: this.name, namespace, name, reconcileID });
    const started = performance.now();
    // One signal per reconcile: it fires when the controller stops or the reconcile's deadline passes.
    const reconcileAbort = new AbortController();
    const stopReconcile = (): void => {
      reconcileAbort.abort(this.abort.signal.reason);
    };
    this.abort.signal.addEventListener('abort', stopReconcile, { once: true });
    const ctx: ReconcileContext = {
      log,
      signal: reconcileAbort.signal,
      status: new StatusHelper(cached, this.writer, reconcileAbort.signal, this.derive),
      events: this.deps.events.sink(cached),
      cache: this.deps.cache,
      kubeConfig: this.deps.kc,
      retries: queue.failures(key),
      deletionPolicy: this.deletionPolicy(cached),
      driftIntervalMs: this.deps.driftIntervalMs,
    };

    let result: ReconcileResult | 'nothingToRecord' | undefined;
    let failure: Classification | undefined;
    let error: unknown;
    const timer = setTimeout(() => {
      reconcileAbort.abort(
        new ReconcileError(
          'transient',
          'ReconcileTimeout',
          `the reconcile did not finish within ${this.deps.reconcileTimeoutMs} ms; it was abandoned and will be retried`,
        ),
      );
    }, this.deps.reconcileTimeoutMs);
    try {
      const work = deleting ? this.runFinalize(ctx, cached) : this.runReconcile(ctx, cached);
      result = await untilAborted(work, reconcileAbort.signal);
    } catch (err) {
      error = err;
      failure = classify(err, this.deps.classifier);
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', stopReconcile);
    }

    if (this.abort.signal.aborted) {
      log.info('stopped before the reconcile could be recorded');
      return;
    }
    if (result === 'nothingToRecord') return;
    const seconds = (performance.now() - started) / 1000;
    if (failure === undefined) {
      await this.succeeded(queue, key, ctx, deleting, result ?? done, seconds);
      return;
    }
    // An abandoned reconcile may still be running: its own status handle stays fenced, the loop records.
    const recording = reconcileAbort.signal.aborted
      ? { ...ctx, status: new StatusHelper(cached, this.writer, this.abort.signal, this.derive) }
      : ctx;
    await this.failed(queue, key, recording, deleting, failure, error, seconds);
  }

  /** 'nothingToRecord': the object went away or began to be deleted while the finalizer was added. */
  private async runReconcile(
    ctx: ReconcileContext,
    obj: KubeObject,
  ): Promise<ReconcileResult | 'nothingToRecord'> {
    let current = obj;
    if (this.definition.finalize && !hasFinalizer(obj, this.finalizer)) {
      const written = await this.writer.update(
        obj,
        'object',
        'finalizer',
        finalizerPatch(this.finalizer, true),
        ctx.signal,
      );
      // Being deleted already: its deletion event runs finalize; reconciling now could create what
      // nothing would clean up.
      if (!written || written.metadata?.deletionTimestamp) return 'nothingToRecord';
      current = written;
      ctx.status.rebase(written);
    }
    if (!observed(current)) {
      // Without status, kstatus reads a new object as Current: say at once that work has begun.
      ctx.status.observe();
      const written = await ctx.status.flush();
      if (!written || written.metadata?.deletionTimestamp) return 'nothingToRecord';
    }
    return this.definition.reconcile(ctx, current);
  }

  private async runFinalize(ctx: ReconcileContext, obj: KubeObject): Promise<ReconcileResult> {
    if (!hasFinalizer(obj, this.finalizer)) return awaitChange;
    if (ctx.deletionPolicy === 'Delete' && this.definition.finalize) {
      const result = await this.definition.finalize(ctx, obj);
      if (result.type === 'requeueAfter') return result;
      await ctx.status.flush();
    } else {
      ctx.log.info({ deletionPolicy: ctx.deletionPolicy }, 'retaining cloud resources');
    }
    await this.writer.update(
      ctx.status.object,
      'object',
      'finalizer',
      finalizerPatch(this.finalizer, false),
      ctx.signal,
    );
    ctx.log.info('finalizer removed');
    return awaitChange;
  }

  private async succeeded(
    queue: WorkQueue,
    key: string,
    ctx: ReconcileContext,
    deleting: boolean,
    result: ReconcileResult,
    seconds: number,
  ): Promise<void> {
    if (!deleting) {
      ctx.status.setCondition('Synced', 'True', 'ReconcileSuccess');
      ctx.status.observe();
    }
    const next =
      result.type === 'requeueAfter'
        ? result.ms
        : result.type === 'done' && !deleting
          ? spread(this.deps.driftIntervalMs)
          : undefined;
    if (!(await this.writeStatus(queue, key, ctx))) return;
    // Backoff is forgotten only once the outcome is recorded: a failed write keeps backing off.
    queue.forget(key);
    if (next !== undefined) queue.addAfter(key, next);
    this.deps.metrics.reconciled(
      this.name,
      result.type === 'requeueAfter' ? 'requeue_after' : 'success',
      seconds,
      false,
    );
    ctx.log.debug({ result: result.type, seconds }, 'reconciled');
  }

  private async failed(
    queue: WorkQueue,
    key: string,
    ctx: ReconcileContext,
    deleting: boolean,
    failure: Classification,
    error: unknown,
    seconds: number,
  ): Promise<void> {
    const level = failure.errorClass === 'inProgress' ? 'debug' : 'warn';
    ctx.log[level](
      { err: error, errorClass: failure.errorClass, reason: failure.reason, retries: ctx.retries },
      `reconcile failed: ${errorMessage(error)}`,
    );
    if (error instanceof KubernetesWriteError || error instanceof Fenced) {
      // Status cannot be written either; each retry repeats cloud calls, so it backs off from the poll interval.
      this.retryAfterWriteFailure(queue, key);
      this.deps.metrics.reconciled(this.name, 'error', seconds, false);
      return;
    }
    const policy = errorPolicy(failure, ctx.retries, this.deps.timings);
    const message = failure.message.slice(0, MAX_MESSAGE);
    if (policy.reportSynced) {
      ctx.status.setCondition('Synced', 'False', failure.reason, message);
      if (!deleting) ctx.status.observe();
    }
    if (policy.warningEvent) ctx.events.warning(failure.reason, message, deleting ? 'Delete' : 'Reconcile');
    // Deletion never waits for a spec change: it keeps retrying, with backoff.
    const requeue = deleting && policy.requeue === 'none' ? 'backoff' : policy.requeue;
    if (!(await this.writeStatus(queue, key, ctx))) return;
    if (requeue === 'backoff') queue.addRateLimited(key);
    else if (typeof requeue === 'number') {
      queue.forget(key);
      queue.addAfter(key, requeue);
    } else queue.forget(key); // 'none': status now says this generation awaits a change
    const outcome = failure.errorClass === 'inProgress' ? 'requeue_after' : 'error';
    this.deps.metrics.reconciled(this.name, outcome, seconds, policy.terminal && !deleting);
  }

  /**
   * Writes accumulated status. A failed write is retried with backoff, never sooner than the poll
   * interval: the retry re-runs the reconcile, and an unreachable apiserver must not multiply cloud
   * calls.
   */
  private async writeStatus(queue: WorkQueue, key: string, ctx: ReconcileContext): Promise<boolean> {
    try {
      await ctx.status.flush();
      this.ownWrites.set(key, ctx.status.object);
      return true;
    } catch (err) {
      if (err instanceof Fenced) return false;
      ctx.log.warn({ err }, 'status write failed');
      this.retryAfterWriteFailure(queue, key);
      return false;
    }
  }

  /** Doubling from the poll interval: an apiserver down for long costs a logarithmic number of retries. */
  private retryAfterWriteFailure(queue: WorkQueue, key: string): void {
    const delay = exponentialDelay(queue.failures(key), {
      baseMs: this.deps.timings.pollIntervalMs,
      maxMs: WRITE_RETRY_MAX_MS,
    });
    queue.addRateLimited(key, delay);
  }

  /** The cached object, or this controller's own later write of it while the cache lags behind. */
  private latest(key: string, cached: KubeObject | undefined): KubeObject | undefined {
    const written = this.ownWrites.get(key);
    if (!written || !cached) {
      this.ownWrites.delete(key);
      return cached;
    }
    if (!isOlder(cached, written)) {
      this.ownWrites.delete(key);
      return cached;
    }
    return written;
  }

  private deletionPolicy(obj: KubeObject): DeletionPolicy {
    const policy = (obj.spec as { deletionPolicy?: unknown } | undefined)?.deletionPolicy;
    return policy === 'Delete' || policy === 'Retain' ? policy : this.deps.defaultDeletionPolicy;
  }
}

/**
 * Whether `a` is an older version of the object than `b`. Resource versions are etcd revisions;
 * Kubernetes asks clients not to compare them, so anything that is not a plain number counts as
 * not older (the cache is trusted).
 */
function isOlder(a: KubeObject, b: KubeObject): boolean {
  const [ra, rb] = [a.metadata?.resourceVersion, b.metadata?.resourceVersion];
  if (!ra || !rb || !/^\d+$/.test(ra) || !/^\d+$/.test(rb)) return false;
  return BigInt(ra) < BigInt(rb);
}

function observed(obj: KubeObject): boolean {
  return (obj.status as { observedGeneration?: unknown } | undefined)?.observedGeneration !== undefined;
}

/** Settles with `work`, or rejects with the signal's reason as soon as it fires (freeing the caller). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(signal.reason as Error);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

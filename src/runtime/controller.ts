import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { spread } from './backoff.js';
import type { Cache } from './cache.js';
import { classify, errorMessage } from './errors.js';
import type { Classification, Classifier } from './errors.js';
import type { EventRecorder } from './events.js';
import { finalizerPatch, hasFinalizer } from './finalizers.js';
import type { InformerEvent } from './informer.js';
import { keyOf, objectKey, splitKey } from './kinds.js';
import type { KubeObject } from './kinds.js';
import type { RuntimeMetrics } from './metrics.js';
import { errorPolicy, needsReconcile } from './policy.js';
import type { PolicyTimings } from './policy.js';
import { WorkQueue } from './queue.js';
import type {
  ControllerDefinition,
  DeletionPolicy,
  ReconcileContext,
  ReconcileResult,
} from './reconciler.js';
import { ReferenceIndex } from './references.js';
import { StatusHelper } from './status.js';
import { ObjectWriter } from './writer.js';

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
}

const MAX_MESSAGE = 32_768;

class Fenced extends Error {
  override readonly name = 'Fenced';
}

/**
 * Runs one controller definition: watch events become keys in a work queue, workers take keys and
 * run reconcile or finalize with everything the definition's contract promises (reconciler.ts).
 * `start` and `stop` may alternate (leadership gained and lost); the cache keeps running throughout.
 */
export class Controller {
  readonly name: string;
  private queue: WorkQueue | undefined;
  private workers: Promise<void>[] = [];
  private abort = new AbortController();
  private readonly writer: ObjectWriter;
  private readonly indexes: ReferenceIndex[];
  private readonly finalizer: string;
  /** Objects whose reconcile failed terminally, by key: the uid and generation it failed at. */
  private readonly terminal = new Map<string, { uid: string | undefined; generation: number | undefined }>();
  private busy = 0;
  private readonly busyGauge: { busy(n: number): void };

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
      fence: () => {
        if (this.abort.signal.aborted) throw new Fenced('this replica may no longer write');
      },
      onWrite: (purpose) => {
        deps.metrics.wrote(definition.kind.kind, purpose);
      },
    });
    this.indexes = (definition.references ?? []).map(() => new ReferenceIndex());
    this.busyGauge = deps.metrics.workers(this.name, this.concurrency);
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
  }

  /**
   * Stops taking keys, lets in-flight reconciles finish for up to `graceMs`, then aborts them: their
   * signal fires and their writes are refused.
   */
  async stop(graceMs: number): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    this.queue = undefined;
    queue.shutDown();
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
    this.abort.abort();
    await all;
  }

  private watch(): void {
    const { cache } = this.deps;
    const { kind, references = [] } = this.definition;
    cache.on(kind, (event: InformerEvent<KubeObject>) => {
      const key = keyOf(event.obj);
      references.forEach((ref, i) => {
        const namespace = event.obj.metadata?.namespace ?? '';
        if (event.type === 'deleted') this.indexes[i]?.delete(key);
        else
          this.indexes[i]?.set(
            key,
            ref.names(event.obj).map((name) => objectKey(namespace, name)),
          );
      });
      if (event.type === 'deleted') this.terminal.delete(key);
      if (needsReconcile(event)) this.queue?.add(key);
    });
    references.forEach((ref, i) => {
      cache.on(ref.kind, (event: InformerEvent<KubeObject>) => {
        for (const referrer of this.indexes[i]?.referrers(keyOf(event.obj)) ?? []) this.queue?.add(referrer);
      });
    });
  }

  private async work(queue: WorkQueue): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      this.busyGauge.busy(++this.busy);
      try {
        await this.process(queue, key);
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
    const cached = this.deps.cache.get(this.definition.kind, namespace, name);
    if (!cached) {
      queue.forget(key);
      return;
    }
    const generation = cached.metadata?.generation;
    const deleting = Boolean(cached.metadata?.deletionTimestamp);
    const known = this.terminal.get(key);
    if (!deleting && known?.uid === cached.metadata?.uid && known?.generation === generation) return;
    this.terminal.delete(key);

    const reconcileID = randomUUID();
    const log = this.log.child({ controller: this.name, namespace, name, reconcileID });
    const started = performance.now();
    const status = new StatusHelper(cached, this.writer);
    const ctx: ReconcileContext = {
      log,
      signal: this.abort.signal,
      status,
      events: this.deps.events.sink(cached),
      cache: this.deps.cache,
      kubeConfig: this.deps.kc,
      retries: queue.failures(key),
      deletionPolicy: this.deletionPolicy(cached),
      driftIntervalMs: this.deps.driftIntervalMs,
    };

    let result: ReconcileResult | undefined;
    let failure: Classification | undefined;
    let error: unknown;
    try {
      result = deleting ? await this.runFinalize(ctx, cached) : await this.runReconcile(ctx, cached);
    } catch (err) {
      error = err;
      failure = classify(err, this.deps.classifier);
    }

    if (this.abort.signal.aborted) {
      log.info('stopped before the reconcile could be recorded');
      return;
    }
    const seconds = (performance.now() - started) / 1000;
    if (failure === undefined) {
      await this.succeeded(queue, key, ctx, deleting, result ?? { type: 'done' }, seconds);
    } else {
      await this.failed(queue, key, ctx, deleting, failure, error, seconds);
    }
  }

  private async runReconcile(ctx: ReconcileContext, obj: KubeObject): Promise<ReconcileResult> {
    let current = obj;
    if (this.definition.finalize && !hasFinalizer(obj, this.finalizer)) {
      const written = await this.writer.update(
        obj,
        'object',
        'finalizer',
        finalizerPatch(this.finalizer, true),
      );
      if (!written) return { type: 'awaitChange' };
      current = written;
      ctx.status.rebase(written);
    }
    return this.definition.reconcile(ctx, current);
  }

  private async runFinalize(ctx: ReconcileContext, obj: KubeObject): Promise<ReconcileResult> {
    if (!hasFinalizer(obj, this.finalizer)) return { type: 'awaitChange' };
    if (ctx.deletionPolicy === 'Delete' && this.definition.finalize) {
      const result = await this.definition.finalize(ctx, obj);
      if (result.type === 'requeueAfter') return result;
      await ctx.status.flush();
    } else {
      ctx.log.info({ deletionPolicy: ctx.deletionPolicy }, 'retaining cloud resources');
    }
    await this.writer.update(ctx.status.object, 'object', 'finalizer', finalizerPatch(this.finalizer, false));
    ctx.log.info('finalizer removed');
    return { type: 'awaitChange' };
  }

  private async succeeded(
    queue: WorkQueue,
    key: string,
    ctx: ReconcileContext,
    deleting: boolean,
    result: ReconcileResult,
    seconds: number,
  ): Promise<void> {
    queue.forget(key);
    if (!deleting) {
      ctx.status.setCondition('Synced', 'True', 'ReconcileSuccess');
      ctx.status.observe();
    }
    if (!(await this.writeStatus(queue, key, ctx))) return;
    if (result.type === 'requeueAfter') queue.addAfter(key, result.ms);
    else if (result.type === 'done' && !deleting) queue.addAfter(key, spread(this.deps.driftIntervalMs));
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
    const policy = errorPolicy(failure, ctx.retries, this.deps.timings);
    const message = failure.message.slice(0, MAX_MESSAGE);
    if (policy.reportSynced) {
      ctx.status.setCondition('Synced', 'False', failure.reason, message);
      if (!deleting) ctx.status.observe();
    }
    if (policy.warningEvent) ctx.events.warning(failure.reason, message, deleting ? 'Delete' : 'Reconcile');
    await this.writeStatus(queue, key, ctx);

    // Deletion never waits for a spec change: it keeps retrying, with backoff.
    const requeue = deleting && policy.requeue === 'none' ? 'backoff' : policy.requeue;
    if (requeue === 'backoff') queue.addRateLimited(key);
    else if (requeue === 'none')
      this.terminal.set(key, {
        uid: ctx.status.object.metadata?.uid,
        generation: ctx.status.object.metadata?.generation,
      });
    else {
      queue.forget(key);
      queue.addAfter(key, requeue);
    }
    const outcome = failure.errorClass === 'inProgress' ? 'requeue_after' : 'error';
    this.deps.metrics.reconciled(this.name, outcome, seconds, policy.terminal && !deleting);
    const level = failure.errorClass === 'inProgress' ? 'debug' : 'warn';
    ctx.log[level](
      { err: error, errorClass: failure.errorClass, reason: failure.reason, retries: ctx.retries },
      `reconcile failed: ${errorMessage(error)}`,
    );
  }

  /** Writes accumulated status; a failure to write is itself retried with backoff. */
  private async writeStatus(queue: WorkQueue, key: string, ctx: ReconcileContext): Promise<boolean> {
    try {
      await ctx.status.flush();
      return true;
    } catch (err) {
      if (err instanceof Fenced) return false;
      ctx.log.warn({ err }, 'status write failed');
      queue.addRateLimited(key);
      return false;
    }
  }

  private deletionPolicy(obj: KubeObject): DeletionPolicy {
    const policy = (obj.spec as { deletionPolicy?: unknown } | undefined)?.deletionPolicy;
    return policy === 'Delete' || policy === 'Retain' ? policy : this.deps.defaultDeletionPolicy;
  }
}

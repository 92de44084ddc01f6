import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiStatus, isGoneError } from './api-errors.js';
import { RestartBackoff } from './backoff.js';
import { dedicatedConnection, sharedConnections } from './connections.js';
import { apiVersionOf, collectionPath, keyOf } from './kinds.js';
import type { KindDescriptor, KubeObject } from './kinds.js';

export type InformerEvent<T> =
  { type: 'added'; obj: T } | { type: 'updated'; obj: T; old: T } | { type: 'deleted'; obj: T };

/** Called synchronously for every change; must not throw and should only enqueue work. */
export type InformerListener<T> = (event: InformerEvent<T>) => void;

/** Why a list/watch cycle ended; also the label of the restart metric. */
export type RestartReason = 'expired' | 'closed' | 'stalled' | 'error' | 'listError';

export interface InformerObserver {
  listed(objects: number, seconds: number): void;
  /** A watch stream was established (the server answered 200). */
  watching?(): void;
  restarted(reason: RestartReason): void;
}

export interface InformerOptions {
  readonly kc: KubeConfig;
  readonly kind: KindDescriptor;
  /** One namespace, or undefined for all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly log: Logger;
  readonly observer?: InformerObserver;
  readonly pageSize?: number;
  /** Server-side watch timeout is drawn from this range, so watches of many kinds do not end together. */
  readonly watchTimeoutSeconds?: readonly [number, number];
  /**
   * A stream that delivers no event or bookmark for this long is presumed dead (half-open TCP, frozen
   * load balancer) and resumed on a new connection. Idle streams do not always get bookmarks, so this
   * also costs one cheap re-watch per quiet period.
   */
  readonly inactivityTimeoutMs?: number;
  readonly backoff?: RestartBackoff;
}

/**
 * Restarts wait at most this long: an apiserver that was down for a while serves again at the next
 * try, not after a delay grown during the outage.
 */
const WATCH_RESTART_MAX_MS = 5_000;

interface WatchEnd {
  reason: RestartReason | 'stopped';
  error?: unknown;
  events: number;
  ms: number;
}

/**
 * List-then-watch of one kind in one namespace (or all), with a local store. Unlike client-node's
 * ListWatch it never stops on its own: 410 Gone relists, any other failure restarts with jittered
 * exponential backoff, and a stream that goes quiet (half-open TCP, frozen load balancer) is
 * resumed by the inactivity watchdog. Bookmarks keep the resourceVersion fresh, so resuming rarely
 * needs a relist.
 */
export class Informer<T extends KubeObject> {
  private items = new Map<string, T>();
  private readonly listeners: InformerListener<T>[] = [];
  private resourceVersion: string | undefined;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private readonly stopController = new AbortController();
  private stopWatch: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly api: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly backoff: RestartBackoff;

  constructor(private readonly options: InformerOptions) {
    if (options.kind.group === '' && options.kind.plural !== 'namespaces')
      throw new Error(
        `the core kind ${options.kind.plural} cannot be watched: only custom resources and Namespaces`,
      );
    this.api = sharedConnections(options.kc).makeApiClient(CustomObjectsApi);
    this.core = sharedConnections(options.kc).makeApiClient(CoreV1Api);
    this.backoff = options.backoff ?? new RestartBackoff({ maxMs: WATCH_RESTART_MAX_MS });
  }

  onEvent(listener: InformerListener<T>): void {
    this.listeners.push(listener);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): IterableIterator<T> {
    return this.items.values();
  }

  get size(): number {
    return this.items.size;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.stopWatch?.();
    await this.running;
  }

  private isStopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.isStopped()) {
      let delay = 0;
      try {
        if (this.resourceVersion === undefined) await this.relist();
        const end = await this.watchOnce(this.resourceVersion ?? '');
        if (end.reason === 'stopped') break;
        this.options.observer?.restarted(end.reason);
        if (end.reason === 'expired') {
          this.resourceVersion = undefined;
          this.options.log.info('watch expired (410 Gone), relisting');
        } else if (
          end.reason === 'stalled' ||
          (end.reason === 'closed' && (end.events > 0 || end.ms >= 1000))
        ) {
          // A quiet stream cannot be told from a dead one; reconnecting from the resourceVersion is cheap.
          this.options.log.debug({ events: end.events, reason: end.reason }, 'watch ended, resuming');
        } else {
          delay = this.backoff.next();
          this.options.log.warn(
            { err: end.error, reason: end.reason, retryInMs: Math.round(delay) },
            'watch ended',
          );
        }
      } catch (err) {
        if (this.isStopped()) break;
        this.options.observer?.restarted('listError');
        if (isGoneError(err)) this.resourceVersion = undefined;
        delay = this.backoff.next();
        this.options.log.warn({ err, retryInMs: Math.round(delay) }, 'list failed');
      }
      if (delay > 0)
        await sleep(delay, undefined, { signal: this.stopController.signal }).catch(() => undefined);
    }
  }

  private async relist(): Promise<void> {
    const started = performance.now();
    const { kind, namespace, labelSelector } = this.options;
    const fresh = new Map<string, T>();
    let continueToken: string | undefined;
    let listVersion: string | undefined;
    do {
      const request = {
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
        limit: this.options.pageSize ?? 500,
        ...(continueToken ? { _continue: continueToken } : {}),
        ...(labelSelector ? { labelSelector } : {}),
      };
      const page = (await (kind.group === ''
        ? this.core.listNamespace(request)
        : namespace
          ? this.api.listNamespacedCustomObject({ ...request, namespace })
          : this.api.listClusterCustomObject(request))) as {
        metadata?: { continue?: string; resourceVersion?: string };
        items?: T[];
      };
      for (const item of page.items ?? []) fresh.set(keyOf(item), strip(item, kind));
      continueToken = page.metadata?.continue;
      listVersion = page.metadata?.resourceVersion;
      if (this.isStopped()) return;
    } while (continueToken);

    const previous = this.items;
    this.items = fresh;
    this.resourceVersion = listVersion;
    for (const [key, obj] of fresh) {
      const old = previous.get(key);
      if (!old) this.emit({ type: 'added', obj });
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
        this.emit({ type: 'updated', obj, old });
    }
    for (const [key, old] of previous) if (!fresh.has(key)) this.emit({ type: 'deleted', obj: old });
    this.backoff.succeeded();
    this.options.observer?.listed(fresh.size, (performance.now() - started) / 1000);
    this.options.log.debug({ objects: fresh.size, resourceVersion: listVersion }, 'listed');
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private watchOnce(resourceVersion: string): Promise<WatchEnd> {
    const { kind, namespace, labelSelector } = this.options;
    const [minTimeout, maxTimeout] = this.options.watchTimeoutSeconds ?? [300, 600];
    const started = performance.now();
    let events = 0;
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      let connection: AbortController | undefined;
      const dedicated = dedicatedConnection(this.options.kc);
      const watch = new Watch(dedicated.kc);
      // client-node 2.x aborts a watch after 30 s without data, which would end healthy idle streams
      // twice a minute; its timer is stretched to become this informer's inactivity watchdog.
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
        this.options.inactivityTimeoutMs ?? 150_000;
      const finish = (reason: WatchEnd['reason'], error?: unknown): void => {
        if (settled) return;
        settled = true;
        this.stopWatch = undefined;
        connection?.abort();
        dedicated.close();
        resolve({ reason, error, events, ms: performance.now() - started });
      };
      this.stopWatch = () => {
        finish('stopped');
      };
      if (this.isStopped()) {
        finish('stopped');
        return;
      }
      const query = {
        resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: minTimeout + Math.floor(Math.random() * (maxTimeout - minTimeout + 1)),
        ...(labelSelector ? { labelSelector } : {}),
      };
      const onEvent = (type: string, obj: unknown): void => {
        if (settled) return;
        events++;
        if (type === 'ERROR') {
          const status = obj as { code?: number; message?: string };
          if (status.code === 410) finish('expired');
          else finish('error', new Error(`watch error ${status.code ?? '?'}: ${status.message ?? ''}`));
          return;
        }
        const item = obj as T;
        const version = item.metadata?.resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.upsert(strip(item, kind));
        else if (type === 'DELETED') this.remove(item);
        if (version) this.resourceVersion = version;
      };
      const onDone = (err: unknown): void => {
        if (settled) return;
        if (err === null || err === undefined) finish('closed');
        else if (apiStatus(err)?.code === 410) finish('expired');
        // A DOMException, which is not always an instance of this realm's Error.
        else if ((err as { name?: unknown }).name === 'TimeoutError') finish('stalled', err);
        else finish('error', err);
      };
      watch
        .watch(collectionPath(kind, namespace), query, onEvent, onDone)
        .then((ac) => {
          connection = ac;
          if (settled) {
            ac.abort();
            return;
          }
          this.backoff.succeeded();
          this.options.observer?.watching?.();
        })
        .catch((err: unknown) => {
          finish('error', err);
        });
    });
  }

  private upsert(obj: T): void {
    const key = keyOf(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    if (!old) this.emit({ type: 'added', obj });
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
      this.emit({ type: 'updated', obj, old });
  }

  private remove(obj: T): void {
    const key = keyOf(obj);
    const old = this.items.get(key);
    this.items.delete(key);
    this.emit({ type: 'deleted', obj: old ?? obj });
  }

  private emit(event: InformerEvent<T>): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.options.log.error({ err }, 'informer listener threw');
      }
    }
  }
}

/** Objects are kept as the server sent them, minus managedFields, which no controller reads. */
function strip<T extends KubeObject>(obj: T, kind: KindDescriptor): T {
  if (obj.metadata && 'managedFields' in obj.metadata)
    delete (obj.metadata as { managedFields?: unknown }).managedFields;
  // Items of a list carry no apiVersion/kind of their own.
  obj.apiVersion ??= apiVersionOf(kind);
  obj.kind ??= kind.kind;
  return obj;
}

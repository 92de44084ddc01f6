import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Informer } from './informer.js';
import type { InformerListener, InformerObserver, InformerOptions } from './informer.js';
import { kindId, objectKey } from './kinds.js';
import type { KindDescriptor, KubeObject } from './kinds.js';

/** Read access to cached objects; all reads in reconcile loops go through it. */
export interface CacheReader {
  get<T extends KubeObject>(kind: KindDescriptor<T>, namespace: string, name: string): T | undefined;
  list<T extends KubeObject>(kind: KindDescriptor<T>, namespace?: string): T[];
}

export interface CacheOptions {
  readonly kc: KubeConfig;
  /** Namespaces to watch; undefined or empty means all. */
  readonly namespaces?: readonly string[];
  readonly labelSelector?: string;
  readonly log: Logger;
  readonly observer?: (kind: KindDescriptor) => InformerObserver;
  readonly informer?: Pick<InformerOptions, 'inactivityTimeoutMs' | 'watchTimeoutSeconds' | 'pageSize'>;
}

/** The informers of one kind: one per watched namespace, or one for the whole cluster. */
class KindInformers<T extends KubeObject> {
  constructor(readonly informers: ReadonlyMap<string, Informer<T>>) {}

  get(namespace: string, name: string): T | undefined {
    return (this.informers.get(namespace) ?? this.informers.get(''))?.get(objectKey(namespace, name));
  }

  list(namespace?: string): T[] {
    const result: T[] = [];
    for (const informer of this.informers.values()) {
      for (const obj of informer.list())
        if (namespace === undefined || obj.metadata?.namespace === namespace) result.push(obj);
    }
    return result;
  }
}

/** Shared informers per kind: each kind is listed and watched once, whatever number of controllers read it. */
export class Cache implements CacheReader {
  private readonly kinds = new Map<string, KindInformers<KubeObject>>();
  private started = false;

  constructor(private readonly options: CacheOptions) {}

  /** Registers interest in a kind (idempotent); informers start with the cache or at once if it runs. */
  ensure(kind: KindDescriptor): void {
    const id = kindId(kind);
    if (this.kinds.has(id)) return;
    const namespaces =
      !kind.clusterScoped && this.options.namespaces?.length ? this.options.namespaces : [''];
    const labelSelector = kind.clusterScoped ? undefined : this.options.labelSelector;
    const informers = new Map<string, Informer<KubeObject>>();
    for (const namespace of namespaces) {
      const log = this.options.log.child({
        kind: kind.kind,
        ...(namespace ? { watchNamespace: namespace } : {}),
      });
      const informer = new Informer<KubeObject>({
        kc: this.options.kc,
        kind,
        log,
        ...(namespace ? { namespace } : {}),
        ...(labelSelector ? { labelSelector } : {}),
        ...(this.options.observer ? { observer: this.options.observer(kind) } : {}),
        ...this.options.informer,
      });
      informers.set(namespace, informer);
      if (this.started) informer.start();
    }
    this.kinds.set(id, new KindInformers(informers));
  }

  on<T extends KubeObject>(kind: KindDescriptor<T>, listener: InformerListener<T>): void {
    this.ensure(kind);
    for (const informer of this.kindInformers(kind).informers.values())
      informer.onEvent(listener as InformerListener<KubeObject>);
  }

  get<T extends KubeObject>(kind: KindDescriptor<T>, namespace: string, name: string): T | undefined {
    return this.kindInformers(kind).get(namespace, name) as T | undefined;
  }

  list<T extends KubeObject>(kind: KindDescriptor<T>, namespace?: string): T[] {
    return this.kindInformers(kind).list(namespace) as T[];
  }

  start(): void {
    this.started = true;
    for (const informer of this.allInformers()) informer.start();
  }

  hasSynced(): boolean {
    return this.allInformers().every((informer) => informer.hasSynced());
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.allInformers().map((informer) => informer.waitForSync()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.allInformers().map((informer) => informer.stop()));
  }

  private kindInformers(kind: KindDescriptor): KindInformers<KubeObject> {
    const found = this.kinds.get(kindId(kind));
    if (!found)
      throw new Error(
        `kind ${kindId(kind)} is not cached; declare it as the controller's kind or a reference`,
      );
    return found;
  }

  private allInformers(): Informer<KubeObject>[] {
    return [...this.kinds.values()].flatMap((k) => [...k.informers.values()]);
  }
}

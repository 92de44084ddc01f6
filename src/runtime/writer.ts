import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { isConflictError, isNotFoundError } from './api-errors.js';
import type { KindDescriptor, KubeObject } from './kinds.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const MAX_CONFLICTS = 5;

export type WriteTarget = 'status' | 'object';

/** What a write is for, reported per kind to the metrics. */
export type WritePurpose = 'status' | 'finalizer';

export interface WriterOptions {
  readonly kc: KubeConfig;
  readonly kind: KindDescriptor;
  readonly fieldManager: string;
  /** Whether this replica may write now (it leads on a valid lease and is not shut down). */
  readonly mayWrite: () => boolean;
  readonly onWrite?: (purpose: WritePurpose) => void;
}

/** A write refused because this replica, or this reconcile, may no longer act. */
export class Fenced extends Error {
  override readonly name = 'Fenced';
}

/**
 * A write the apiserver did not take (unreachable, 5xx, timeout, too many conflicts). The loop backs
 * off on it like on any error, but never faster than it polls: retrying sooner would repeat the
 * reconcile's cloud calls while Kubernetes is down.
 */
export class KubernetesWriteError extends Error {
  override readonly name = 'KubernetesWriteError';

  constructor(cause: unknown) {
    super(`Kubernetes write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Writes computed from the object itself: `compute(current)` returns a merge patch or undefined when
 * nothing needs to change. Each patch carries the resourceVersion it was computed from, so a stale
 * view (a lagging cache) gets 409 Conflict instead of overwriting newer data; the writer then re-reads
 * the object and computes again, which usually turns into "nothing to do".
 */
export class ObjectWriter {
  private readonly api: CustomObjectsApi;

  constructor(private readonly options: WriterOptions) {
    this.api = options.kc.makeApiClient(CustomObjectsApi);
  }

  /**
   * Returns the object as written (or as found, when no write was needed); undefined if it is gone.
   * Throws Fenced when `signal` has fired or this replica may not write, KubernetesWriteError when
   * the apiserver did not take the write.
   */
  async update(
    obj: KubeObject,
    target: WriteTarget,
    purpose: WritePurpose,
    compute: (current: KubeObject) => Record<string, unknown> | undefined,
    signal: AbortSignal,
  ): Promise<KubeObject | undefined> {
    try {
      return await this.patchUntilSettled(obj, target, purpose, compute, signal);
    } catch (err) {
      if (err instanceof Fenced) throw err;
      throw new KubernetesWriteError(err);
    }
  }

  private async patchUntilSettled(
    obj: KubeObject,
    target: WriteTarget,
    purpose: WritePurpose,
    compute: (current: KubeObject) => Record<string, unknown> | undefined,
    signal: AbortSignal,
  ): Promise<KubeObject | undefined> {
    let current = obj;
    for (let attempt = 0; ; attempt++) {
      const patch = compute(current);
      if (patch === undefined) return current;
      if (signal.aborted || !this.options.mayWrite()) throw new Fenced('this replica may no longer write');
      const metadata = {
        ...(patch.metadata as Record<string, unknown> | undefined),
        resourceVersion: current.metadata?.resourceVersion,
      };
      const body = { ...patch, metadata };
      try {
        const written = (await (target === 'status'
          ? this.api.patchNamespacedCustomObjectStatus(
              { ...this.ref(current), body, fieldManager: this.options.fieldManager },
              MERGE_PATCH,
            )
          : this.api.patchNamespacedCustomObject(
              { ...this.ref(current), body, fieldManager: this.options.fieldManager },
              MERGE_PATCH,
            ))) as KubeObject;
        this.options.onWrite?.(purpose);
        return written;
      } catch (err) {
        if (isNotFoundError(err)) return undefined;
        if (!isConflictError(err) || attempt >= MAX_CONFLICTS) throw err;
        const fresh = await this.read(current);
        if (!fresh) return undefined;
        current = fresh;
      }
    }
  }

  async read(obj: KubeObject): Promise<KubeObject | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject(this.ref(obj))) as KubeObject;
    } catch (err) {
      if (isNotFoundError(err)) return undefined;
      throw err;
    }
  }

  private ref(obj: KubeObject): {
    group: string;
    version: string;
    plural: string;
    namespace: string;
    name: string;
  } {
    const { group, version, plural } = this.options.kind;
    return {
      group,
      version,
      plural,
      namespace: obj.metadata?.namespace ?? '',
      name: obj.metadata?.name ?? '',
    };
  }
}

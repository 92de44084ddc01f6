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
  /** Throws when this replica may no longer write (lost leadership, shutdown deadline passed). */
  readonly fence: () => void;
  readonly onWrite?: (purpose: WritePurpose) => void;
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

  /** Returns the object as written (or as found, when no write was needed); undefined if it is gone. */
  async update(
    obj: KubeObject,
    target: WriteTarget,
    purpose: WritePurpose,
    compute: (current: KubeObject) => Record<string, unknown> | undefined,
  ): Promise<KubeObject | undefined> {
    let current = obj;
    for (let attempt = 0; ; attempt++) {
      const patch = compute(current);
      if (patch === undefined) return current;
      this.options.fence();
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

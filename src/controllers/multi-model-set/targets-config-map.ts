import { createHash } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { ownerTagValue, MANAGED_BY, type Owner } from '../../aws/tags.js';
import { isNotFoundError } from '../../runtime/api-errors.js';
import { ReconcileError } from '../../runtime/index.js';

/** The ConfigMap applications mount: one key per model, its value the model's TargetModel. */
export const targetsConfigMapName = (setName: string): string => `${setName}-targets`;

const OWNER_ANNOTATION = 'mlops.dev/owner';
const UID_ANNOTATION = 'mlops.dev/uid';

const digest = (data: Record<string, string>): string =>
  createHash('sha256').update(JSON.stringify(data)).digest('hex');

/**
 * Writes each set's `<name>-targets` ConfigMap when its content changes, and only then: what was
 * last written is remembered per object, so a set at rest costs no Kubernetes call. A ConfigMap
 * of that name that another object or person made is never overwritten or deleted.
 *
 * It carries no ownerReference, so that deletionPolicy Retain leaves it with the artifacts it
 * points at; under Delete the set's finalizer deletes it.
 */
export class TargetsConfigMaps {
  private readonly written = new Map<string, string>();

  constructor(private readonly kc: KubeConfig) {}

  private api(): CoreV1Api {
    return this.kc.makeApiClient(CoreV1Api);
  }

  async write(owner: Owner, targets: ReadonlyMap<string, string>, signal: AbortSignal): Promise<void> {
    const data = Object.fromEntries([...targets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const hash = digest(data);
    if (this.written.get(owner.uid) === hash) return;
    const api = this.api();
    const name = targetsConfigMapName(owner.name);
    const existing = await this.read(api, owner.namespace, name);
    if (existing && !ours(existing, owner)) throw foreign(name, owner);
    if (
      existing &&
      digest(existing.data ?? {}) === hash &&
      existing.metadata?.annotations?.[UID_ANNOTATION] === owner.uid
    ) {
      this.written.set(owner.uid, hash);
      return;
    }
    signal.throwIfAborted();
    const body: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: owner.namespace,
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY },
        annotations: { [OWNER_ANNOTATION]: ownerTagValue(owner), [UID_ANNOTATION]: owner.uid },
        ...(existing?.metadata?.resourceVersion
          ? { resourceVersion: existing.metadata.resourceVersion }
          : {}),
      },
      data,
    };
    if (existing) await api.replaceNamespacedConfigMap({ name, namespace: owner.namespace, body });
    else await api.createNamespacedConfigMap({ namespace: owner.namespace, body });
    this.written.set(owner.uid, hash);
  }

  /** Deletes the set's ConfigMap if it is the set's. */
  async delete(owner: Owner, signal: AbortSignal): Promise<void> {
    this.written.delete(owner.uid);
    const api = this.api();
    const name = targetsConfigMapName(owner.name);
    const existing = await this.read(api, owner.namespace, name);
    if (!existing || !ours(existing, owner)) return;
    signal.throwIfAborted();
    try {
      await api.deleteNamespacedConfigMap({ name, namespace: owner.namespace });
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
  }

  /** Forgets what was written for objects no longer there. */
  forgetAllBut(uids: ReadonlySet<string>): void {
    for (const uid of this.written.keys()) if (!uids.has(uid)) this.written.delete(uid);
  }

  private async read(api: CoreV1Api, namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    try {
      return await api.readNamespacedConfigMap({ name, namespace });
    } catch (err) {
      if (isNotFoundError(err)) return undefined;
      throw err;
    }
  }
}

/** Ours: written for this set, or for an earlier set of the same namespace and name. */
function ours(configMap: V1ConfigMap, owner: Owner): boolean {
  return configMap.metadata?.annotations?.[OWNER_ANNOTATION] === ownerTagValue(owner);
}

function foreign(name: string, owner: Owner): ReconcileError {
  return new ReconcileError(
    'terminal',
    'AlreadyExists',
    `ConfigMap ${name} already exists and is not managed by this ${owner.kind}: delete or rename it`,
  );
}

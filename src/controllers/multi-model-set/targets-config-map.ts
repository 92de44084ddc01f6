import { createHash } from 'node:crypto';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { MANAGED_BY, ownerTagValue, type Owner } from '../../aws/tags.js';
import { isConflictError, isNotFoundError } from '../../runtime/api-errors.js';
import { ReconcileError } from '../../runtime/index.js';

/** The ConfigMap applications mount: one key per model, its value the model's TargetModel. */
export const targetsConfigMapName = (setName: string): string => `${setName}-targets`;

const FIELD_MANAGER = 'sagemaker-operator';

const digest = (data: Record<string, string>): string =>
  createHash('sha256').update(JSON.stringify(data)).digest('hex');

/**
 * Each set's `<name>-targets` ConfigMap, written by server-side apply when its content changes and
 * only then (what was last applied is remembered per object, so a set at rest costs no Kubernetes
 * call). The operator never reads ConfigMaps, so its RBAC grants no `get` on them: a ConfigMap of
 * that name that someone else wrote is found by a dry run of the first apply (fields of another
 * manager) or makes an apply conflict, and is left alone; a delete names the uid of the ConfigMap
 * the set applied, so it never removes another.
 *
 * It carries no ownerReference, so that deletionPolicy Retain leaves it with the artifacts it
 * points at; under Delete the set's finalizer deletes it.
 */
export class TargetsConfigMaps {
  private readonly applied = new Map<string, string>();

  constructor(private readonly kc: KubeConfig) {}

  private api(): CoreV1Api {
    return this.kc.makeApiClient(CoreV1Api);
  }

  /** Applies the map; returns the ConfigMap's uid. */
  async write(
    owner: Owner,
    targets: ReadonlyMap<string, string>,
    knownUid: string | undefined,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const data = Object.fromEntries([...targets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const hash = digest(data);
    if (knownUid !== undefined && this.applied.get(owner.uid) === hash) return knownUid;
    signal.throwIfAborted();
    const name = targetsConfigMapName(owner.name);
    const apply = (dryRun: boolean) =>
      this.api().patchNamespacedConfigMap(
        {
          name,
          namespace: owner.namespace,
          fieldManager: FIELD_MANAGER,
          force: false,
          ...(dryRun ? { dryRun: 'All' } : {}),
          body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name,
              namespace: owner.namespace,
              labels: { 'app.kubernetes.io/managed-by': MANAGED_BY },
              annotations: { 'mlops.dev/owner': ownerTagValue(owner), 'mlops.dev/uid': owner.uid },
            },
            data,
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    const foreign = new ReconcileError(
      'terminal',
      'AlreadyExists',
      `ConfigMap ${name} already exists and is not managed by this ${owner.kind}: delete or rename it`,
    );
    try {
      if (knownUid === undefined) {
        // The first apply would merge into a ConfigMap of that name that someone else wrote: a dry
        // run shows whether any other field manager has fields there, without writing.
        const preview = await apply(true);
        if ((preview.metadata?.managedFields ?? []).some((f) => f.manager !== FIELD_MANAGER)) throw foreign;
      }
      const applied = await apply(false);
      this.applied.set(owner.uid, hash);
      return applied.metadata?.uid;
    } catch (err) {
      if (isConflictError(err)) throw foreign;
      throw err;
    }
  }

  /** Deletes the ConfigMap with this uid, if it is still there. */
  async delete(owner: Owner, uid: string | undefined, signal: AbortSignal): Promise<void> {
    this.applied.delete(owner.uid);
    if (uid === undefined) return;
    signal.throwIfAborted();
    try {
      await this.api().deleteNamespacedConfigMap({
        name: targetsConfigMapName(owner.name),
        namespace: owner.namespace,
        body: { preconditions: { uid } },
      });
    } catch (err) {
      // Gone, or replaced by another ConfigMap of that name (the uid precondition fails with 409).
      if (!isNotFoundError(err) && !isConflictError(err)) throw err;
    }
  }

  /** Forgets what was applied for objects no longer there. */
  forgetAllBut(uids: ReadonlySet<string>): void {
    for (const uid of this.applied.keys()) if (!uids.has(uid)) this.applied.delete(uid);
  }
}

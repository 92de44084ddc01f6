import { createHash } from 'node:crypto';
import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { MANAGED_BY, ownerTagValue, type Owner } from '../../aws/tags.js';
import { isConflictError, isNotFoundError } from '../../runtime/api-errors.js';
import { ReconcileError } from '../../runtime/index.js';

/** The ConfigMap applications mount: one key per model, its value the model's TargetModel. */
export const targetsConfigMapName = (setName: string): string => `${setName}-targets`;

const FIELD_MANAGER = 'sagemaker-operator';

const digest = (data: Record<string, string>): string =>
  createHash('sha256').update(JSON.stringify(data)).digest('hex');

/**
 * Each set's `<name>-targets` ConfigMap, written by server-side apply when its content changes, and
 * applied again whenever the set's prefix is listed (once per drift interval), so a ConfigMap
 * deleted or edited by hand is restored: the operator never reads ConfigMaps, so its RBAC grants no
 * `get`, `list` or `watch` on them, and an apply is what tells it what is there. A set at rest costs
 * one apply per drift interval, which the apiserver answers without a write when nothing changed.
 *
 * A ConfigMap of that name that someone else wrote is found by a dry run of the first apply (fields
 * of another manager) and left alone. Once the set has written one, its applies carry that
 * ConfigMap's uid as a precondition and force ownership of the fields a hand edit took over; keys
 * someone added are removed. A ConfigMap deleted and created again by someone else fails the uid
 * precondition and is treated like a first apply. A delete names the uid too, so it never removes
 * another.
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

  /**
   * Applies the map when it changed, or when `recheck` says to look again; returns the ConfigMap's
   * uid. `knownUid` is the uid of the ConfigMap the set wrote before, if any.
   */
  async write(
    owner: Owner,
    targets: ReadonlyMap<string, string>,
    knownUid: string | undefined,
    recheck: boolean,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const data = Object.fromEntries([...targets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const hash = digest(data);
    if (knownUid !== undefined && !recheck && this.applied.get(owner.uid) === hash) return knownUid;
    signal.throwIfAborted();
    const name = targetsConfigMapName(owner.name);
    const metadata = {
      name,
      namespace: owner.namespace,
      labels: { 'app.kubernetes.io/managed-by': MANAGED_BY },
      annotations: { 'mlops.dev/owner': ownerTagValue(owner), 'mlops.dev/uid': owner.uid },
    };
    const apply = (options: { dryRun?: boolean; ours?: string }) =>
      this.api().patchNamespacedConfigMap(
        {
          name,
          namespace: owner.namespace,
          fieldManager: FIELD_MANAGER,
          force: options.ours !== undefined,
          ...(options.dryRun ? { dryRun: 'All' } : {}),
          body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: options.ours === undefined ? metadata : { ...metadata, uid: options.ours },
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
    let applied: V1ConfigMap | undefined;
    if (knownUid !== undefined)
      applied = await apply({ ours: knownUid }).catch((err: unknown) => {
        // Gone (or replaced: the uid precondition fails): applied as the first time.
        if (isConflictError(err) || isNotFoundError(err)) return undefined;
        throw err;
      });
    try {
      if (!applied) {
        // The first apply would merge into a ConfigMap of that name that someone else wrote: a dry
        // run shows whether any other field manager has fields there, without writing.
        const preview = await apply({ dryRun: true });
        if ((preview.metadata?.managedFields ?? []).some((f) => f.manager !== FIELD_MANAGER)) throw foreign;
        applied = await apply({});
      }
      const uid = applied.metadata?.uid;
      const added = Object.keys(applied.data ?? {}).filter((key) => !(key in data));
      if (added.length > 0 && uid !== undefined)
        await this.api().patchNamespacedConfigMap(
          {
            name,
            namespace: owner.namespace,
            fieldManager: FIELD_MANAGER,
            body: { metadata: { uid }, data: Object.fromEntries(added.map((key) => [key, null])) },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      this.applied.set(owner.uid, hash);
      return uid;
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

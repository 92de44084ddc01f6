import { accountOfRole, type AwsScope } from '../../aws/identity.js';
import {
  ReconcileError,
  type CacheReader,
  type KindDescriptor,
  type KubeObject,
  type Reference,
} from '../../runtime/index.js';
import type { ManagedObject } from '../../crds/kind.js';

/*
 * Set by the cluster admin on a Namespace (tenants cannot edit Namespaces): the IAM role the
 * operator assumes for the namespace's objects, and the region of those that name none.
 */
export const ROLE_ANNOTATION = 'sagemaker.mlops.dev/role-arn';
export const REGION_ANNOTATION = 'sagemaker.mlops.dev/region';

export const NAMESPACE_KIND: KindDescriptor = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  clusterScoped: true,
};

/** Every kind refers to its object's Namespace: a changed role or region reconciles the namespace's objects. */
export const namespaceReference: Reference<ManagedObject> = {
  kind: NAMESPACE_KIND,
  names: (obj) => [obj.metadata.namespace],
};

export interface IdentitySettings {
  /** The operator's --region, for objects whose spec and namespace name none. */
  readonly defaultRegion: string;
  /** --require-namespace-role: a namespace without a role gets nothing done, rather than the operator's own identity. */
  readonly requireNamespaceRole?: boolean;
}

/**
 * Where an object's SageMaker resources live and as whom the operator acts for them: the role its
 * Namespace names (never one the object chooses), assumed under the namespace's name; the region
 * status recorded at the first create (resources never move), else spec.region, else the
 * namespace's, else the operator's. An object that has created nothing yet (`placed` false) follows
 * its namespace's region, whatever status recorded.
 */
export function scopeOf(
  obj: ManagedObject,
  namespace: KubeObject | undefined,
  settings: IdentitySettings,
  placed = true,
): AwsScope {
  const ns = obj.metadata.namespace;
  // A namespace the cache has not seen yet may name a role: acting as the operator meanwhile could create in the wrong account.
  if (namespace === undefined)
    throw new ReconcileError('transient', 'ReconcileError', `namespace ${ns} is not in the cache yet`);
  const annotations = namespace.metadata?.annotations ?? {};
  const roleArn = annotations[ROLE_ANNOTATION]?.trim() || undefined;
  if (roleArn !== undefined && accountOfRole(roleArn) === undefined)
    throw new ReconcileError(
      'terminal',
      'IdentityNotSet',
      `namespace ${ns} annotation ${ROLE_ANNOTATION} "${roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
    );
  if (roleArn === undefined && settings.requireNamespaceRole)
    throw new ReconcileError(
      'terminal',
      'IdentityNotSet',
      `namespace ${ns} has no ${ROLE_ANNOTATION} annotation, and this operator acts only as a namespace's own role: a cluster admin must set it`,
    );
  const recordedRegion = placed ? (obj.status as { region?: unknown } | undefined)?.region : undefined;
  const region =
    (typeof recordedRegion === 'string' ? recordedRegion : undefined) ??
    obj.spec.region ??
    (annotations[REGION_ANNOTATION]?.trim() || settings.defaultRegion);
  return roleArn === undefined ? { region } : { region, roleArn, sessionName: ns };
}

/** scopeOf with the object's Namespace read from the cache. */
export function cachedScopeOf(
  obj: ManagedObject,
  cache: CacheReader,
  settings: IdentitySettings,
  placed = true,
): AwsScope {
  return scopeOf(obj, cache.get(NAMESPACE_KIND, '', obj.metadata.namespace), settings, placed);
}

/** For sweeps: the object's scope, or undefined while it cannot act (its namespace names no usable role). */
export function usableScopeOf(
  obj: ManagedObject,
  cache: CacheReader,
  settings: IdentitySettings,
): AwsScope | undefined {
  try {
    return cachedScopeOf(obj, cache, settings);
  } catch {
    return undefined;
  }
}

/** Ownership tags carried by every resource the operator creates (DESIGN.md §4). */
export const TAG_MANAGED_BY = 'mlops.dev/managed-by';
export const TAG_CLUSTER = 'mlops.dev/cluster';
export const TAG_OWNER = 'mlops.dev/owner';
export const TAG_UID = 'mlops.dev/uid';
export const MANAGED_BY = 'sagemaker-operator';

export interface Tag {
  Key: string | undefined;
  Value: string | undefined;
}

export interface Owner {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly clusterName: string;
}

export function ownershipTags(owner: Owner): { Key: string; Value: string }[] {
  return [
    { Key: TAG_MANAGED_BY, Value: MANAGED_BY },
    { Key: TAG_CLUSTER, Value: owner.clusterName },
    { Key: TAG_OWNER, Value: `${owner.kind}/${owner.namespace}/${owner.name}` },
    { Key: TAG_UID, Value: owner.uid },
  ];
}

/**
 * - `owned`: created for this very object.
 * - `previousIncarnation`: created for an object of the same kind/namespace/name in this cluster
 *   that was deleted and re-created (another uid); safe to take over.
 * - `foreign`: anything else; must not be touched unless the user asked for adoption.
 */
export type Ownership = 'owned' | 'previousIncarnation' | 'foreign';

export function ownershipOf(tags: readonly Partial<Tag>[] | undefined, owner: Owner): Ownership {
  const byKey = new Map((tags ?? []).map((t) => [t.Key, t.Value]));
  const expected = new Map(ownershipTags(owner).map((t) => [t.Key, t.Value]));
  const matches = (key: string): boolean => byKey.get(key) === expected.get(key);
  if (!matches(TAG_MANAGED_BY) || !matches(TAG_CLUSTER) || !matches(TAG_OWNER)) return 'foreign';
  return matches(TAG_UID) ? 'owned' : 'previousIncarnation';
}

import { stableHash } from './naming.js';

/** Ownership tags carried by every resource the operator creates; nothing without them is updated or deleted. */
export const TAG_MANAGED_BY = 'mlops.dev/managed-by';
export const TAG_CLUSTER = 'mlops.dev/cluster';
export const TAG_OWNER = 'mlops.dev/owner';
export const TAG_UID = 'mlops.dev/uid';
export const MANAGED_BY = 'sagemaker-operator';

/** SageMaker's limits on a tag (TagKey, TagValue in the API model). */
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

/**
 * The owner value is cut to this length plus `@<hash>`. `@` never occurs in a Kubernetes kind,
 * namespace or name, so a shortened value can never equal the full value of another object.
 */
const OWNER_HASH_LENGTH = 16;
const OWNER_HASH_SEPARATOR = '@';

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

/**
 * The `mlops.dev/owner` value: `<kind>/<namespace>/<name>`, or, when that would pass SageMaker's
 * 256-character tag value limit (a namespace of 63 and a name of 253 characters do), its first
 * characters followed by `@` and a hash of the whole, so it stays deterministic and distinct per
 * object. The uid tag identifies the object exactly in any case.
 */
export function ownerTagValue(owner: Pick<Owner, 'kind' | 'namespace' | 'name'>): string {
  const full = `${owner.kind}/${owner.namespace}/${owner.name}`;
  if (full.length <= MAX_TAG_VALUE_LENGTH) return full;
  const suffix = `${OWNER_HASH_SEPARATOR}${stableHash(full, OWNER_HASH_LENGTH)}`;
  return `${full.slice(0, MAX_TAG_VALUE_LENGTH - suffix.length)}${suffix}`;
}

export function ownershipTags(owner: Owner): { Key: string; Value: string }[] {
  return [
    { Key: TAG_MANAGED_BY, Value: MANAGED_BY },
    { Key: TAG_CLUSTER, Value: owner.clusterName },
    { Key: TAG_OWNER, Value: ownerTagValue(owner) },
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

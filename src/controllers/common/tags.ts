import type { Tag } from '@aws-sdk/client-sagemaker';
import { ownershipTags, type Owner } from '../../aws/tags.js';

/** The tags a resource should carry: the operator's ownership tags plus the user's spec.tags. */
export function desiredTags(owner: Owner, userTags: Readonly<Record<string, string>> | undefined): Tag[] {
  return [...ownershipTags(owner), ...Object.entries(userTags ?? {}).map(([Key, Value]) => ({ Key, Value }))];
}

export interface TagChanges {
  add: Tag[];
  remove: string[];
}

/**
 * What AddTags/DeleteTags must do to turn `current` into `desired`. spec.tags is the truth for
 * every key but AWS's own (aws:*), which nobody may remove.
 */
export function tagChanges(current: readonly Tag[], desired: readonly Tag[]): TagChanges {
  const have = new Map(current.map((t) => [t.Key, t.Value]));
  const want = new Set(desired.map((t) => t.Key));
  return {
    add: desired.filter((t) => have.get(t.Key) !== t.Value),
    remove: current
      .map((t) => t.Key ?? '')
      .filter((key) => key !== '' && !want.has(key) && !key.startsWith('aws:')),
  };
}

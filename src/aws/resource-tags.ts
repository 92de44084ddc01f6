import {
  AddTagsCommand,
  DeleteTagsCommand,
  ListTagsCommand,
  type SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { ownershipTags, type Owner } from './tags.js';

type Cancel = { abortSignal: AbortSignal };

/** The tags a resource should carry: the operator's ownership tags plus the user's own. */
export function desiredTags(owner: Owner, userTags: Readonly<Record<string, string>> | undefined): Tag[] {
  return [...ownershipTags(owner), ...Object.entries(userTags ?? {}).map(([Key, Value]) => ({ Key, Value }))];
}

export interface TagChanges {
  add: Tag[];
  remove: string[];
}

/**
 * What AddTags/DeleteTags must do to turn `current` into `desired`. The desired tags are the truth
 * for every key but AWS's own (aws:*), which nobody may remove.
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

/** Every tag of a SageMaker resource, across pages. */
export async function listAllTags(sagemaker: SageMakerClient, arn: string, cancel: Cancel): Promise<Tag[]> {
  const tags: Tag[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListTagsCommand({ ResourceArn: arn, NextToken: nextToken, MaxResults: 100 }),
      cancel,
    );
    tags.push(...(page.Tags ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return tags;
}

/** AddTags/DeleteTags so that the resource carries `desired` (see tagChanges). */
export async function applyTags(
  sagemaker: SageMakerClient,
  arn: string,
  current: readonly Tag[],
  desired: readonly Tag[],
  cancel: Cancel,
): Promise<void> {
  const changes = tagChanges(current, desired);
  if (changes.add.length > 0)
    await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: changes.add }), cancel);
  if (changes.remove.length > 0)
    await sagemaker.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: changes.remove }), cancel);
}

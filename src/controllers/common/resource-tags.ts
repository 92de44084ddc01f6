import {
  AddTagsCommand,
  DeleteTagsCommand,
  ListTagsCommand,
  type SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { tagChanges } from './tags.js';

type Cancel = { abortSignal: AbortSignal };

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

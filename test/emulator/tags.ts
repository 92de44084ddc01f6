import type { AddTagsInput, DeleteTagsInput, ListTagsInput, Tag } from '@aws-sdk/client-sagemaker';
import type { Handler, Wire } from './context.js';
import { validation } from './errors.js';
import { paginate } from './listing.js';
import type { Registry, Resource } from './resources.js';

const maxTagsPerResource = 50;

/** Tags given on Create*, applied the way AddTags would. */
export function tagsFrom(tags: Tag[] | undefined): Map<string, string> {
  return new Map((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

const tagList = (tags: Map<string, string>): Tag[] => [...tags].map(([Key, Value]) => ({ Key, Value }));

/** AddTags, DeleteTags and ListTags for every kind, found by ARN. */
export function tagOperations(registries: Registry<Resource>[]): Record<string, Handler> {
  const byArn = (arn: string): Resource => {
    const match = /^arn:[^:]+:sagemaker:[^:]*:\d{12}:([a-z-]+)\/(.+)$/.exec(arn);
    const resource = match && registries.find((r) => r.arnType === match[1])?.get(match[2]!);
    if (resource?.arn !== arn.toLowerCase()) throw validation(`Resource ${arn} does not exist.`);
    return resource;
  };

  return {
    AddTags(input: Wire<AddTagsInput>) {
      const resource = byArn(input.ResourceArn!);
      const tags = new Map([...resource.tags, ...tagsFrom(input.Tags)]);
      if (tags.size > maxTagsPerResource) {
        throw validation(`Cannot add tags: a resource can have at most ${maxTagsPerResource} tags.`);
      }
      resource.tags = tags;
      return { Tags: input.Tags };
    },
    DeleteTags(input: Wire<DeleteTagsInput>) {
      const resource = byArn(input.ResourceArn!);
      for (const key of input.TagKeys ?? []) resource.tags.delete(key);
      return {};
    },
    ListTags(input: Wire<ListTagsInput>) {
      const { page, NextToken } = paginate(
        tagList(byArn(input.ResourceArn!).tags),
        input.NextToken,
        input.MaxResults ?? 50,
      );
      return { Tags: page, NextToken };
    },
  };
}

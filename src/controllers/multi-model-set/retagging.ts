import { objectTags, putObjectTags } from '../../aws/s3-artifacts.js';
import type { Tag } from '../../aws/tags.js';
import { artifactAt, type SetArtifacts } from './artifacts.js';
import type { SetMemory } from './memory.js';
import { forEachBounded } from './pool.js';

const tagLines = (tags: readonly Tag[]): string =>
  tags
    .map((t) => `${t.Key ?? ''}=${t.Value ?? ''}`)
    .sort()
    .join('\n');

/**
 * spec.tags changed: the artifacts in place (`inPlace`, their keys relative to the prefix) get the
 * new tags. Whether they carry them is known from the last reconcile, or after a restart from one
 * artifact's tags.
 */
export async function retag(
  artifacts: SetArtifacts,
  memory: SetMemory,
  inPlace: readonly string[],
): Promise<void> {
  const wanted = tagLines(artifacts.tags);
  const [sample] = inPlace;
  if (memory.taggedWith === wanted || sample === undefined) {
    memory.taggedWith = wanted;
    return;
  }
  if (memory.taggedWith === undefined) {
    const tags = await objectTags(artifacts.s3, artifactAt(artifacts, sample), artifacts.cancel);
    if (tags !== undefined && tagLines(tags) === wanted) {
      memory.taggedWith = wanted;
      return;
    }
  }
  await forEachBounded(
    inPlace,
    artifacts.settings.copyConcurrency,
    (key) => putObjectTags(artifacts.s3, artifactAt(artifacts, key), artifacts.tags, artifacts.cancel),
    artifacts.cancel.abortSignal,
  );
  memory.taggedWith = wanted;
}

import { isNotFound } from '../../aws/errors.js';
import { deleteObject, listPrefix, objectTags } from '../../aws/s3-artifacts.js';
import { ownershipOf } from '../../aws/tags.js';
import { artifactAt, type SetArtifacts } from './artifacts.js';
import { modelOfKey } from './layout.js';
import { forEachBounded } from './pool.js';

/**
 * Deletion under Delete: every artifact of the layout's shape under the prefix that carries the
 * set's tags; others are left alone. Returns how many were deleted.
 */
export async function deleteArtifacts(artifacts: SetArtifacts): Promise<number> {
  const { s3, cancel, base } = artifacts;
  // A bucket already gone holds nothing to delete.
  const listed = await listPrefix(s3, artifactAt(artifacts, ''), cancel).catch((err: unknown) => {
    if (isNotFound(err)) return new Map<string, string>();
    throw err;
  });
  const ours = [...listed.keys()].filter((key) => modelOfKey(key.slice(base.length)) !== undefined);
  let deleted = 0;
  await forEachBounded(
    ours,
    artifacts.settings.copyConcurrency,
    async (key) => {
      const location = { bucket: artifacts.bucket, key };
      const tags = await objectTags(s3, location, cancel);
      if (tags === undefined || ownershipOf(tags, artifacts.owner) === 'foreign') return;
      await deleteObject(s3, location, cancel);
      deleted++;
    },
    cancel.abortSignal,
  );
  return deleted;
}

import { deleteObject, objectTags } from '../../aws/s3-artifacts.js';
import { ownershipOf } from '../../aws/tags.js';
import { artifactAt, type SetArtifacts } from './artifacts.js';
import { modelOfKey, someNames } from './layout.js';
import type { SetMemory } from './memory.js';
import { forEachBounded } from './pool.js';

/**
 * Stale keys of ours (`stale`, relative to the prefix) are deleted once they have been stale for the
 * grace period; keys that are not ours are never touched. A model no longer `desired` whose last
 * artifact goes is reported removed. Returns when the next one is due (performance.now() time).
 */
export async function retire(
  artifacts: SetArtifacts,
  memory: SetMemory,
  stale: readonly string[],
  desired: ReadonlySet<string>,
): Promise<number> {
  const { s3, cancel, settings } = artifacts;
  const present = memory.present ?? new Map<string, string>();
  const staleKeys = new Set(stale);
  for (const key of memory.retiredSince.keys()) if (!staleKeys.has(key)) memory.retiredSince.delete(key);
  const removed = new Set<string>();
  const now = performance.now();
  await forEachBounded(
    stale.filter((key) => !memory.foreign.has(key)),
    settings.copyConcurrency,
    async (key) => {
      const location = artifactAt(artifacts, key);
      if (!memory.retiredSince.has(key)) {
        const tags = await objectTags(s3, location, cancel);
        if (tags === undefined) present.delete(key);
        else if (ownershipOf(tags, artifacts.owner) === 'foreign') memory.foreign.add(key);
        else memory.retiredSince.set(key, now);
        return;
      }
      if (now - (memory.retiredSince.get(key) ?? now) < settings.retireGraceMs) return;
      await deleteObject(s3, location, cancel);
      present.delete(key);
      memory.retiredSince.delete(key);
      const name = modelOfKey(key) ?? key;
      if (!desired.has(name)) removed.add(name);
    },
    cancel.abortSignal,
  );
  if (removed.size > 0)
    artifacts.events.normal(
      'ModelRemoved',
      `removed ${removed.size} model(s): ${someNames([...removed].sort())}`,
      'Delete',
    );
  let next = Number.POSITIVE_INFINITY;
  for (const since of memory.retiredSince.values()) next = Math.min(next, since + settings.retireGraceMs);
  return next;
}

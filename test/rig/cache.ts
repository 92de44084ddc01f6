import { mkdir } from 'node:fs/promises';

/**
 * The per-user cache of rig binaries and the moto virtualenv: built once per machine, reused after.
 * The CRD generator reads the pinned SageMaker model from the same place, so it is defined there.
 */
export { toolCacheDir as rigCacheDir } from '../../src/crds/shapes/pinned-model.js';

export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

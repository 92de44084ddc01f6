/*
 * The pinned botocore SageMaker model the CRD shapes are generated from: its version, where it is
 * installed on this machine, and how it is read. `npm run rig:prepare` installs it (in the same
 * Python virtualenv as moto, the tests' S3), and the emulator validates requests against the same
 * file, so the generated CRDs and the emulator never disagree on the API.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BotocoreModel } from './botocore.js';
import { withDocumentedLimits } from './documented-limits.js';

/** The botocore release whose SageMaker model the CRD shapes follow. */
export const BOTOCORE_VERSION = '1.44.5';
/** moto, installed beside botocore: the virtualenv that holds the model is named after both. */
export const MOTO_VERSION = '5.1.22';

/** The per-user cache of the development tools (the rig's binaries, the virtualenv): built once per machine. */
export function toolCacheDir(...parts: string[]): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'sagemaker-operator-rig', ...parts);
}

/** The virtualenv that holds the pinned botocore (and moto). */
export function pythonVenvDir(): string {
  return toolCacheDir(`python-moto-${MOTO_VERSION}-botocore-${BOTOCORE_VERSION}`);
}

/** Whether the virtualenv was installed to the end. */
export function pythonVenvComplete(): boolean {
  return existsSync(join(pythonVenvDir(), '.complete'));
}

/**
 * Absolute path of botocore's SageMaker service-2.json.gz (the official API model) in the
 * virtualenv, or undefined when it is not there. Never installs anything.
 */
export async function installedApiModelPath(): Promise<string | undefined> {
  const lib = join(pythonVenvDir(), 'lib');
  if (!existsSync(lib)) return undefined;
  for (const python of await readdir(lib)) {
    const sagemaker = join(lib, python, 'site-packages', 'botocore', 'data', 'sagemaker');
    if (!existsSync(sagemaker)) continue;
    const versions = (await readdir(sagemaker)).sort();
    const latest = versions.at(-1);
    if (latest) return join(sagemaker, latest, 'service-2.json.gz');
  }
  return undefined;
}

/** The model, with the limits SageMaker documents beyond it (documented-limits.ts). */
export async function loadBotocoreModel(path: string): Promise<BotocoreModel> {
  return withDocumentedLimits(JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as BotocoreModel);
}

import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { rigCacheDir } from './cache.js';
import { RigError } from './errors.js';
import { exec, haveCommand } from './exec.js';

/** moto is S3 for the tests; botocore carries the official SageMaker API model the emulator validates against. */
export const MOTO_VERSION = '5.1.22';
export const BOTOCORE_VERSION = '1.44.5';

const INSTALL_TIMEOUT_MS = 15 * 60_000;

function venvDir(): string {
  return rigCacheDir(`python-moto-${MOTO_VERSION}-botocore-${BOTOCORE_VERSION}`);
}

/** Creates (once per machine) the virtualenv with moto's server and the pinned botocore; returns its bin dir. */
export async function ensurePythonVenv(log: (line: string) => void = () => undefined): Promise<string> {
  const dir = venvDir();
  const bin = join(dir, 'bin');
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return bin;
  if (!(await haveCommand('python3'))) {
    throw new RigError(
      'python3 is missing: the rig needs Python 3.9+ with venv to run moto (S3) and read the SageMaker API model.',
    );
  }
  log(`creating the moto ${MOTO_VERSION} virtualenv in ${dir}`);
  await exec('python3', ['-m', 'venv', '--clear', dir], { timeoutMs: INSTALL_TIMEOUT_MS });
  await exec(
    join(bin, 'pip'),
    [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `moto[server]==${MOTO_VERSION}`,
      `botocore==${BOTOCORE_VERSION}`,
    ],
    { timeoutMs: INSTALL_TIMEOUT_MS },
  );
  await exec('touch', [marker], { timeoutMs: 5000 });
  return bin;
}

/** Absolute path of botocore's SageMaker service-2.json.gz (the official API model). */
export async function sageMakerApiModelPath(): Promise<string> {
  await ensurePythonVenv();
  const lib = join(venvDir(), 'lib');
  for (const python of await readdir(lib)) {
    const sagemaker = join(lib, python, 'site-packages', 'botocore', 'data', 'sagemaker');
    if (!existsSync(sagemaker)) continue;
    const versions = (await readdir(sagemaker)).sort();
    const latest = versions.at(-1);
    if (latest) return join(sagemaker, latest, 'service-2.json.gz');
  }
  throw new RigError(
    `botocore's SageMaker model is missing from ${venvDir()}: delete that directory to reinstall it.`,
  );
}

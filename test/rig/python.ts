import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  BOTOCORE_VERSION,
  installedApiModelPath,
  MOTO_VERSION,
  pythonVenvDir as venvDir,
} from '../../src/crds/shapes/pinned-model.js';
import { RigError } from './errors.js';
import { exec, haveCommand } from './exec.js';

/*
 * moto is S3 for the tests; botocore carries the official SageMaker API model the emulator validates
 * against and the CRD shapes are generated from (their versions are pinned with the generator).
 */
export { BOTOCORE_VERSION, MOTO_VERSION };

const INSTALL_TIMEOUT_MS = 15 * 60_000;

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
  const path = await installedApiModelPath();
  if (path !== undefined) return path;
  throw new RigError(
    `botocore's SageMaker model is missing from ${venvDir()}: delete that directory to reinstall it.`,
  );
}

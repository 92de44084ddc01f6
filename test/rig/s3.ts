import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { startProcess, waitUntilReady } from './process.js';
import { ensurePythonVenv } from './python.js';

export interface S3Server {
  /** http://127.0.0.1:<port>; path-style addressing, any credentials, region us-east-1. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * moto's server with the copy-source ETag precondition moto lacks (x-amz-copy-source-if-match on
 * CopyObject and UploadPartCopy); see the script.
 */
const MOTO_SERVER = fileURLToPath(new URL('./moto_server.py', import.meta.url));

/** Starts moto's server (a real, independent S3 implementation) on a free loopback port. */
export async function startS3(log: (line: string) => void = () => undefined): Promise<S3Server> {
  const bin = await ensurePythonVenv(log);
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'sagemaker-rig-s3-'));
  const endpoint = `http://127.0.0.1:${port}`;
  const moto = startProcess(
    'moto',
    join(bin, 'python'),
    [MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)],
    join(dir, 'moto.log'),
  );
  try {
    await waitUntilReady(
      moto,
      async () => (await fetch(`${endpoint}/moto-api/`)).ok,
      60_000,
      'moto could not start: check the port is free, or delete the rig virtualenv to reinstall it.',
    );
  } catch (err) {
    await moto.stop();
    throw err;
  }
  log(`S3 (moto) ready at ${endpoint}`);
  return {
    endpoint,
    async stop() {
      await moto.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

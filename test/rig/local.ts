/**
 * `npm run local`: a control plane, S3 and the SageMaker emulator on this machine, the CRDs
 * installed, and the operator in the foreground with human-readable logs. Ctrl-C stops everything.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CRD_DIR } from '../../src/crds/generate.js';
import { installCrds } from './crds.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { RigError } from './errors.js';
import { startS3, type S3Server } from './s3.js';

const log = (line: string): void => {
  console.log(`[local] ${line}`);
};

const stops: (() => Promise<void>)[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping');
    for (const stop of stops.reverse()) {
      await stop().catch((err: unknown) => {
        console.error(err);
      });
    }
  }
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  await mkdir('.local', { recursive: true });
  const kubeconfigPath = resolve('.local/kubeconfig');
  const controlPlane: ControlPlane = await startControlPlane({ kubeconfigPath, log });
  stops.push(() => controlPlane.stop());
  const s3: S3Server = await startS3(log);
  stops.push(() => s3.stop());
  const crds = await installCrds(controlPlane.kubeConfig(), CRD_DIR);
  log(`installed ${crds.join(', ')}`);
  log('');
  log(`kubeconfig: ${kubeconfigPath}`);
  log(`  export KUBECONFIG=${kubeconfigPath}`);
  log('  kubectl get crds');
  log('  kubectl get sagemaker -A');
  log(`S3 (moto): ${s3.endpoint}`);
  log('Ctrl-C stops everything.');
} catch (err) {
  console.error(err instanceof RigError ? `local: ${err.message}` : err);
  await stopAll(1);
}

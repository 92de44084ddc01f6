/**
 * `npm run local`: a control plane with the CRDs and the chart's SecurityPolicy admission installed,
 * S3 and the SageMaker emulator on this machine, and the operator in the foreground with
 * human-readable logs (local-environment.ts). Ctrl-C stops everything.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RigError } from './errors.js';
import { EXAMPLES_BUCKET, startLocal, type LocalEnvironment } from './local-environment.js';

/** SageMaker time runs 20 times faster: a 10-minute endpoint creation takes 30 s. */
const TIME_SCALE = Number(process.env.LOCAL_TIME_SCALE ?? '0.05');

const log = (line: string): void => {
  console.log(`[local] ${line}`);
};

let environment: LocalEnvironment | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping');
    await environment?.stop();
  }
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  await mkdir('.local', { recursive: true });
  const kubeconfigPath = resolve('.local/kubeconfig');
  environment = await startLocal({
    kubeconfigPath,
    timeScale: TIME_SCALE,
    log,
    metricsAddr: '127.0.0.1:8080',
    healthAddr: '127.0.0.1:8081',
    operatorOutputToTerminal: true,
    onOperatorExit: (why) => {
      log(why);
      void stopAll(1);
    },
  });
  log(`installed ${environment.installed.join(', ')}`);
  log(`S3 (moto): ${environment.s3Endpoint}, bucket ${EXAMPLES_BUCKET}`);
  log(
    `SageMaker emulator: ${environment.emulatorEndpoint} (time x${1 / TIME_SCALE}; call log at ${environment.emulatorEndpoint}/_emulator/calls)`,
  );
  log('');
  log(`  export KUBECONFIG=${kubeconfigPath}`);
  log('  kubectl get crds');
  log('  kubectl apply -f examples/training/xgboost-kms.yaml');
  log('  kubectl get sagemaker -A');
  log('');
  log('Ctrl-C stops everything.');
} catch (err) {
  console.error(err instanceof RigError ? `local: ${err.message}` : err);
  await stopAll(1);
}

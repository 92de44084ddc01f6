/**
 * `npm run local`: a control plane, S3 and the SageMaker emulator on this machine, the CRDs
 * installed, and the operator in the foreground with human-readable logs. Ctrl-C stops everything.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CRD_DIR } from '../../src/crds/generate.js';
import { startEmulator } from '../emulator/index.js';
import { installCrds } from './crds.js';
import { startControlPlane } from './control-plane.js';
import { RigError } from './errors.js';
import { startS3 } from './s3.js';

/** SageMaker time runs 20 times faster: a 10-minute endpoint creation takes 30 s. */
const TIME_SCALE = Number(process.env.LOCAL_TIME_SCALE ?? '0.05');
/** The bucket the examples use, so they run unchanged. */
const EXAMPLES_BUCKET = 'my-sagemaker-bucket';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

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

/** The operator as its own process, exactly as `node dist/main.js` runs in a cluster. */
function startOperator(kubeconfig: string, sagemakerEndpoint: string, s3Endpoint: string): void {
  const operator = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/main.ts',
      `--region=${REGION}`,
      '--cluster-name=local',
      `--sagemaker-endpoint=${sagemakerEndpoint}`,
      `--s3-endpoint=${s3Endpoint}`,
      // moto serves STS too: namespaces' roles are assumed there.
      `--sts-endpoint=${s3Endpoint}`,
      '--log-format=pretty',
      // Fitted to the emulator's time scale: state changes are seconds apart, not minutes.
      '--poll-interval-min=1s',
      '--poll-interval-max=10s',
      `--monitoring-hour=${Math.round(3_600_000 * TIME_SCALE)}ms`,
      '--metrics-addr=127.0.0.1:8080',
      '--health-addr=127.0.0.1:8081',
    ],
    {
      stdio: 'inherit',
      // Its own process group: Ctrl-C reaches it through stopAll, after this process is ready to wait.
      detached: true,
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      },
    },
  );
  const exited = new Promise<void>((resolve) => {
    operator.once('exit', () => {
      resolve();
      if (!stopping) {
        log('the operator exited');
        void stopAll(1);
      }
    });
  });
  stops.push(async () => {
    if (operator.exitCode === null) operator.kill('SIGTERM');
    await exited;
  });
}

try {
  await mkdir('.local', { recursive: true });
  const kubeconfigPath = resolve('.local/kubeconfig');
  const controlPlane = await startControlPlane({ kubeconfigPath, log });
  stops.push(() => controlPlane.stop());
  const s3 = await startS3(log);
  stops.push(() => s3.stop());
  await new S3Client({
    endpoint: s3.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: CREDENTIALS,
  }).send(new CreateBucketCommand({ Bucket: EXAMPLES_BUCKET }));
  const emulator = await startEmulator({
    s3: { endpoint: s3.endpoint, credentials: CREDENTIALS },
    // Roles created in moto's IAM (same endpoint) govern what their sessions may do.
    iam: { endpoint: s3.endpoint },
    timeScale: TIME_SCALE,
  });
  stops.push(() => emulator.stop());
  const crds = await installCrds(controlPlane.kubeConfig(), CRD_DIR);
  log(`installed ${crds.join(', ')}`);
  log(`S3 (moto): ${s3.endpoint}, bucket ${EXAMPLES_BUCKET}`);
  log(
    `SageMaker emulator: ${emulator.endpoint} (time x${1 / TIME_SCALE}; call log at ${emulator.endpoint}/_emulator/calls)`,
  );
  log('');
  log(`  export KUBECONFIG=${kubeconfigPath}`);
  log('  kubectl get crds');
  log('  kubectl apply -f examples/training/xgboost-kms.yaml');
  log('  kubectl get sagemaker -A');
  log('');
  log('Ctrl-C stops everything.');
  startOperator(kubeconfigPath, emulator.endpoint, s3.endpoint);
} catch (err) {
  console.error(err instanceof RigError ? `local: ${err.message}` : err);
  await stopAll(1);
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CRD_DIR } from '../../src/crds/generate.js';
import { startEmulator } from '../emulator/index.js';
import { installAdmission } from './admission.js';
import { installCrds } from './crds.js';
import { startControlPlane } from './control-plane.js';
import { startProcess, type ManagedProcess } from './process.js';
import { startS3 } from './s3.js';

/*
 * What `npm run local` starts: a control plane with what the Helm chart installs cluster-wide (the
 * CRDs and the SecurityPolicy admission policy and binding), S3, the SageMaker emulator and the
 * operator. test/rig/local.ts runs it in a terminal; tests start and stop it as a whole.
 */

/** The bucket the examples use, so they run unchanged. */
export const EXAMPLES_BUCKET = 'my-sagemaker-bucket';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

export interface LocalOptions {
  /** Where the admin kubeconfig is written. */
  kubeconfigPath: string;
  /** SageMaker time scale: 0.05 makes a 10-minute endpoint creation take 30 s. */
  timeScale: number;
  log: (line: string) => void;
  /** The operator's metrics and health addresses. */
  metricsAddr: string;
  healthAddr: string;
  /** The operator writes to this terminal (`npm run local`) instead of a log file. */
  operatorOutputToTerminal?: boolean;
  /** Called when the operator exits before stop(). */
  onOperatorExit?: (why: string) => void;
}

export interface LocalEnvironment {
  readonly kubeconfigPath: string;
  /** The apiserver: https://127.0.0.1:<port> */
  readonly server: string;
  readonly s3Endpoint: string;
  readonly emulatorEndpoint: string;
  /** The CRDs and admission objects installed. */
  readonly installed: string[];
  /** Stops everything started, in reverse order; resolves once no process is left. */
  stop(): Promise<void>;
}

/** Starts the whole environment; on a failure, stops what was started and rethrows. */
export async function startLocal(options: LocalOptions): Promise<LocalEnvironment> {
  const { log } = options;
  const stops: (() => Promise<void>)[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const step of stops.reverse()) {
      await step().catch((err: unknown) => {
        console.error(err);
      });
    }
  };
  try {
    const controlPlane = await startControlPlane({ kubeconfigPath: options.kubeconfigPath, log });
    stops.push(() => controlPlane.stop());
    const kc = controlPlane.kubeConfig();
    // The CRDs first: the admission policy's paramKind is a SecurityPolicy.
    const crds = await installCrds(kc, CRD_DIR);
    const admission = await installAdmission(kc, log);
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
      timeScale: options.timeScale,
    });
    stops.push(() => emulator.stop());
    const operator = await startOperator(options, emulator.endpoint, s3.endpoint);
    stops.push(() => operator.stop());
    void operator.exited.then((why) => {
      if (!stopped) options.onOperatorExit?.(why);
    });
    return {
      kubeconfigPath: options.kubeconfigPath,
      server: controlPlane.server,
      s3Endpoint: s3.endpoint,
      emulatorEndpoint: emulator.endpoint,
      installed: [...crds, ...admission],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The operator as its own process, exactly as `node dist/main.js` runs in a cluster. */
async function startOperator(
  options: LocalOptions,
  sagemakerEndpoint: string,
  s3Endpoint: string,
): Promise<ManagedProcess & { stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sagemaker-local-operator-'));
  const operator = startProcess(
    'operator',
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
      `--monitoring-hour=${Math.round(3_600_000 * options.timeScale)}ms`,
      `--metrics-addr=${options.metricsAddr}`,
      `--health-addr=${options.healthAddr}`,
    ],
    join(dir, 'operator.log'),
    {
      cwd: REPOSITORY,
      inheritOutput: options.operatorOutputToTerminal,
      env: {
        ...process.env,
        KUBECONFIG: options.kubeconfigPath,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      },
    },
  );
  return {
    ...operator,
    async stop() {
      await operator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

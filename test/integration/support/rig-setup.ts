import { KubeConfig } from '@kubernetes/client-node';
import { CRD_DIR } from '../../../src/crds/generate.js';
import {
  existingCluster,
  installCrds,
  startControlPlane,
  startS3,
  type ControlPlane,
  type S3Server,
} from '../../rig/index.js';
import { ensureKubectl } from '../../rig/binaries.js';
import { ensureHelm } from '../../rig/helm.js';
import { ensureJudges } from '../../rig/judges.js';
import { ensureKubeScore } from '../../rig/kube-score.js';
import { installOperatorIdentity } from './operator-identity.js';

declare global {
  var rigHandles: { controlPlane?: ControlPlane; s3: S3Server } | undefined;
}

/** One control plane and one S3 server for the whole run; test files isolate themselves by namespace. */
export async function setUpRig(): Promise<void> {
  const log = (line: string): void => {
    console.log(`[rig] ${line}`);
  };
  const existing = existingCluster();
  // Tests have a time limit; the one-time builds (minutes on a fresh machine) happen here, which has none.
  await Promise.all([ensureHelm(log), ensureJudges(log), ensureKubeScore(log), ensureKubectl(log)]);
  const controlPlane = existing ? undefined : await startControlPlane({ log });
  const kubeconfigPath = existing ?? controlPlane?.kubeconfigPath ?? '';
  const s3 = await startS3(log);
  globalThis.rigHandles = { controlPlane, s3 };

  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  await installCrds(kc, CRD_DIR);
  // Every OperatorHarness acts as this ServiceAccount, so the suite proves the chart's RBAC.
  const operatorUser = await installOperatorIdentity(kc);

  // Workers are started after global setup and inherit its environment.
  process.env.KUBECONFIG = kubeconfigPath;
  process.env.RIG_S3_ENDPOINT = s3.endpoint;
  process.env.RIG_OPERATOR_USER = operatorUser;
}

export async function tearDownRig(): Promise<void> {
  const handles = globalThis.rigHandles;
  await handles?.s3.stop();
  await handles?.controlPlane?.stop();
}

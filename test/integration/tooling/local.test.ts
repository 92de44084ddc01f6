import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocal, type LocalEnvironment } from '../../rig/local-environment.js';
import { freePort } from '../../rig/ports.js';
import { startKubectl, type KubectlResult } from '../support/kubectl.js';

/*
 * `npm run local` as a user meets it: its own control plane, S3, emulator and operator (not the
 * suite's rig, whose apiserver other files share and which must not get a cluster-wide admission
 * binding), then the README's "Security policies" example typed with the release's kubectl.
 */

const POLICY = 'examples/secure-vpc/security-policy.yaml';
const KMS_ONLY = 'examples/training/xgboost-kms.yaml';
const PRIVATE_VPC = 'examples/training/xgboost-private-vpc.yaml';
/** What the README shows the apiserver answering to the KMS-only job in team-a. */
const REFUSAL =
  'denied request: spec.resourceConfig.instanceType must use an instance type that SecurityPolicy secure-vpc ' +
  'allows in allowedInstanceTypes: ml.m5.large, ml.m5.xlarge, ml.m5.2xlarge';

let dir: string;
let local: LocalEnvironment;
let healthAddr: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-test-'));
  healthAddr = `127.0.0.1:${String(await freePort())}`;
  local = await startLocal({
    kubeconfigPath: join(dir, 'kubeconfig'),
    timeScale: 0.05,
    log: () => undefined,
    metricsAddr: `127.0.0.1:${String(await freePort())}`,
    healthAddr,
  });
});

afterAll(async () => {
  await local.stop();
  await rm(dir, { recursive: true, force: true });
});

/** kubectl against the local environment's kubeconfig, as `export KUBECONFIG=...` would. */
async function kubectl(namespace: string, ...args: string[]): Promise<KubectlResult> {
  return (await startKubectl(namespace, ['--kubeconfig', local.kubeconfigPath, ...args])).result;
}

async function succeeds(namespace: string, ...args: string[]): Promise<string> {
  const result = await kubectl(namespace, ...args);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} exited with ${String(result.code)}:\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * Waits until the apiserver enforces the namespace's SecurityPolicy: it loads admission policies,
 * bindings and their params through informers, a moment after they are written. A server-side dry
 * run goes through admission without creating anything.
 */
async function untilEnforced(namespace: string, manifest: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await kubectl(namespace, 'apply', '--dry-run=server', '-f', manifest)).code === 0) {
    if (Date.now() > deadline)
      throw new Error(`the SecurityPolicy of ${namespace} is not enforced after 20 s`);
    await sleep(200);
  }
}

function portOpen(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect(Number(port), host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

describe('npm run local', () => {
  it('installs the chart’s SecurityPolicy admission policy and binding', async () => {
    const installed = await succeeds(
      'default',
      'get',
      'validatingadmissionpolicies,validatingadmissionpolicybindings',
      '-o',
      'name',
    );
    expect(installed.trim().split('\n').sort()).toEqual([
      'validatingadmissionpolicy.admissionregistration.k8s.io/sagemaker-operator-security-policy',
      'validatingadmissionpolicybinding.admissionregistration.k8s.io/sagemaker-operator-security-policy',
    ]);
  });

  it('refuses the README’s KMS-only TrainingJob at apply in a namespace with its SecurityPolicy, and admits a compliant one', async () => {
    await succeeds('default', 'create', 'namespace', 'team-a');
    await succeeds('team-a', 'apply', '-f', POLICY);
    await untilEnforced('team-a', KMS_ONLY);

    const refused = await kubectl('team-a', 'apply', '-f', KMS_ONLY);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('The trainingjobs "xgboost-kms" is invalid');
    expect(refused.stderr).toContain(REFUSAL);
    expect((await kubectl('team-a', 'get', 'trainingjob', 'xgboost-kms')).stderr).toContain('NotFound');

    expect(await succeeds('team-a', 'apply', '-f', PRIVATE_VPC)).toContain(
      'trainingjob.sagemaker.mlops.dev/xgboost-private-vpc created',
    );
  });

  it('admits the KMS-only TrainingJob in a namespace without a SecurityPolicy (the chart’s withoutPolicy: Allow)', async () => {
    expect(await succeeds('default', 'apply', '-f', KMS_ONLY)).toContain(
      'trainingjob.sagemaker.mlops.dev/xgboost-kms created',
    );
  });

  it('runs the operator, and stops every process it started', async () => {
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`http://${healthAddr}/readyz`)
        .then((r) => r.ok)
        .catch(() => false))
    ) {
      if (Date.now() > deadline) throw new Error('the operator was not ready within 60 s');
      await sleep(200);
    }
    const apiserver = new URL(local.server).host;
    await local.stop();
    for (const address of [
      apiserver,
      new URL(local.s3Endpoint).host,
      new URL(local.emulatorEndpoint).host,
      healthAddr,
    ]) {
      expect(await portOpen(address)).toBe(false);
    }
  });
});

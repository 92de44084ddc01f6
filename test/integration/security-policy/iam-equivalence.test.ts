import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { ROLE_ANNOTATION } from '../../../src/controllers/common/identity.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { role } from '../../emulator/test-harness.js';
import { annotateNamespace, createTestNamespace, customObjects } from '../support/cluster.js';
import { assumeRoleWithPolicy } from '../support/iam.js';
import { condition, OperatorHarness } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';
import { Admission, applyPolicy, eventually } from './support.js';

/*
 * The seed's IAM policies (../shared/workflows/secure-vpc-pipelines.txt: deny creates without VPC
 * subnets, deny creates without network isolation) and the SecurityPolicy that says the same
 * (requireVpc, requireNetworkIsolation) agree: what the apiserver admits under the policy, the
 * operator creates as a namespace role holding the IAM policies, and what it refuses, IAM denies.
 */

const seed = JSON.parse(
  await readFile(new URL('../../emulator/fixtures/secure-vpc-policies.json', import.meta.url), 'utf8'),
) as { requireVpc: object; requireNetworkIsolation: object };
const ALLOW_SAGEMAKER = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' }],
};
const VPC = { subnets: ['subnet-0a338babaa635e3e6'], securityGroupIds: ['sg-0123456789abcdef0'] };

let h: OperatorHarness;
let admission: Admission;
let policed: string;

beforeAll(async () => {
  h = await OperatorHarness.start('sp-iam');
  const session = await assumeRoleWithPolicy('seed', seed.requireVpc, [
    seed.requireNetworkIsolation,
    ALLOW_SAGEMAKER,
  ]);
  await annotateNamespace(h.kc, h.namespace, { [ROLE_ANNOTATION]: session.roleArn });
  admission = await Admission.install(h.kc, 'Allow');
  policed = await createTestNamespace(h.kc, 'sp-iam-policed');
  await admission.cover(policed);
  await applyPolicy(h.kc, policed, 'secure-vpc', { requireVpc: true, requireNetworkIsolation: true });
});
afterAll(async () => {
  await admission.uninstall();
  await h.stop();
});

function body(namespace: string, kind: string, name: string, spec: object) {
  return { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace }, spec };
}

/** Whether the apiserver admits the object in the policed namespace (a server-side dry run). */
async function admitted(plural: string, kind: string, name: string, spec: object): Promise<boolean> {
  try {
    await customObjects(h.kc).createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: policed,
      plural,
      body: body(policed, kind, name, spec),
      dryRun: 'All',
    });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 422) return false;
    throw err;
  }
}

interface Settled {
  trainingJobArn?: string;
  processingJobArn?: string;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

/** Whether the operator, acting as the role with the seed's IAM policies, gets the resource created. */
async function createdUnderIam(plural: string, kind: string, name: string, spec: object): Promise<boolean> {
  await h.create(plural, kind, name, spec);
  const settled = await h.waitFor<object, Settled>(
    plural,
    name,
    (o) =>
      o?.status?.trainingJobArn !== undefined ||
      o?.status?.processingJobArn !== undefined ||
      condition(o, 'Synced')?.reason === 'AccessDenied',
  );
  return condition(settled, 'Synced')?.reason !== 'AccessDenied';
}

const processingSpec = (networkConfig?: object) => ({
  roleArn: role,
  appSpecification: { imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn:1' },
  processingResources: {
    clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
  },
  ...(networkConfig ? { networkConfig } : {}),
});

const CASES: [string, string, string, object][] = [
  ['trainingjobs', 'TrainingJob', 'tj-compliant', { vpcConfig: VPC, enableNetworkIsolation: true }],
  ['trainingjobs', 'TrainingJob', 'tj-no-vpc', { enableNetworkIsolation: true }],
  ['trainingjobs', 'TrainingJob', 'tj-not-isolated', { vpcConfig: VPC, enableNetworkIsolation: false }],
  ['trainingjobs', 'TrainingJob', 'tj-isolation-unset', { vpcConfig: VPC }],
  ['processingjobs', 'ProcessingJob', 'pj-compliant', { vpcConfig: VPC, enableNetworkIsolation: true }],
  ['processingjobs', 'ProcessingJob', 'pj-no-vpc', { enableNetworkIsolation: true }],
  ['processingjobs', 'ProcessingJob', 'pj-not-isolated', { vpcConfig: VPC, enableNetworkIsolation: false }],
];

describe('the seed IAM policy and its SecurityPolicy', () => {
  it('admit and deny the same manifests', async () => {
    // The apiserver loads the policy's params through an informer: wait until it is in force.
    await eventually(async () => {
      expect(await admitted('trainingjobs', 'TrainingJob', 'probe', trainingJobSpec(h))).toBe(false);
    });
    const verdicts: Record<string, { admitted: boolean; created: boolean }> = {};
    for (const [plural, kind, name, settings] of CASES) {
      const spec =
        kind === 'TrainingJob'
          ? { ...trainingJobSpec(h), ...settings }
          : processingSpec(Object.keys(settings).length > 0 ? settings : undefined);
      verdicts[name] = {
        admitted: await admitted(plural, kind, name, spec),
        created: await createdUnderIam(plural, kind, name, spec),
      };
    }
    expect(Object.entries(verdicts).filter(([, v]) => v.created !== v.admitted)).toEqual([]);
    expect(verdicts['tj-compliant']).toEqual({ admitted: true, created: true });
    expect(verdicts['pj-compliant']).toEqual({ admitted: true, created: true });
    expect(Object.values(verdicts).filter((v) => !v.admitted)).toHaveLength(5);
  });
});

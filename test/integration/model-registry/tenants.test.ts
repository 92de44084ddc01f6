/*
 * Two tenants of one operator, one of whose roles may not list model packages: its denied Lists
 * cost a few calls (backoff), and stop nothing of the other tenant's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { ModelPackageSpec, ModelPackageStatus } from '../../../src/crds/model-package.js';
import { ROLE_ANNOTATION } from '../../../src/controllers/common/identity.js';
import { annotateNamespace } from '../support/cluster.js';
import { createIn, waitIn } from '../support/namespaced.js';
import { assumeRoleWithPolicy, type RoleSession } from '../support/iam.js';
import { condition, OperatorHarness, SLOW_RETRY_MS, type KubeObjectOf } from '../support/operator.js';
import { approve, followingSpec, registerVersion, registryGroup } from './support.js';

type Version = KubeObjectOf<ModelPackageSpec, ModelPackageStatus>;
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';
const TENANT_B = 'arn:aws:iam::222222222222:role/tenant-b';
/** The approval sweeps' pace at rest in the test of a new approval: short for a test. */
const SHORT_DRIFT_MS = 2_000;

let h: OperatorHarness;
/** Tenant A (the harness's namespace) acts as this role, which may do anything but ListModelPackages. */
let denied: RoleSession;
let other: string;

beforeAll(async () => {
  denied = await assumeRoleWithPolicy('tenant-no-list', {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' },
      { Effect: 'Deny', Action: 'sagemaker:ListModelPackages', Resource: '*' },
    ],
  });
  h = await OperatorHarness.start('mr-tenant-a');
  await annotateNamespace(h.kc, h.namespace, { [ROLE_ANNOTATION]: denied.roleArn });
  other = await h.addNamespace('mr-tenant-b', { [ROLE_ANNOTATION]: TENANT_B });
});
afterAll(async () => {
  await h.stop();
});

const principalA = (): string =>
  `arn:aws:sts::123456789012:assumed-role/${denied.roleArn.split('/').pop()!}/${h.namespace}`;

/** A ModelPackageGroup and one version of it in `namespace`, both Ready. */
async function registered(namespace: string): Promise<Version> {
  await createIn(h.kc, namespace, 'modelpackagegroups', 'ModelPackageGroup', 'models', {});
  await createIn(h.kc, namespace, 'modelpackages', 'ModelPackage', 'v1', {
    groupRef: { name: 'models' },
    inferenceSpecification: {
      containers: [{ image: IMAGE, modelDataUrl: `s3://${h.cloud.bucket}/models/model.tar.gz` }],
      supportedContentTypes: ['text/csv'],
      supportedResponseMIMETypes: ['text/csv'],
    },
  });
  return waitIn<Version>(
    h.kc,
    namespace,
    'modelpackages',
    'v1',
    (o) => condition(o, 'Ready')?.status === 'True',
  );
}

describe('a tenant whose role may not list model packages', () => {
  it('lists a group its Endpoint follows a few times with backoff, not every second', async () => {
    const group = await registryGroup(h, 'followed');
    await registerVersion(h, group, 'v1', true);
    await h.create(
      'endpoints',
      'Endpoint',
      'follower',
      followingSpec({ modelPackageFrom: { groupName: group, approvalStatus: 'Approved' } }),
    );
    await h.waitFor<EndpointSpec, EndpointStatus>(
      'endpoints',
      'follower',
      (o) => condition(o, 'Synced')?.reason === 'AccessDenied',
    );
    const window = 8_000;
    const from = Date.now();
    await new Promise((resolve) => setTimeout(resolve, window)); // a measurement window, not a sync
    const { calls } = await h.cloud.emulator.control.calls({
      operation: 'ListModelPackages',
      resource: group,
    });
    const listed = calls.filter(
      (c) => c.principal === principalA() && c.time >= from && c.time < from + window,
    );
    console.info(
      `ListModelPackages of a denied followed group in ${window} ms: ${listed.length} (${listed.map((c) => c.time - from).join(', ')})`,
    );
    expect(listed.every((c) => c.outcome === 'AccessDeniedException')).toBe(true);
    // The Endpoint's own retries (one per slow retry) and the shared listing's, one second doubling.
    expect(listed.length).toBeLessThanOrEqual(window / SLOW_RETRY_MS + Math.log2(window / 1_000) + 2);
  });

  it("does not keep another tenant's approvals made in the registry from showing", async () => {
    await h.stopOperator();
    await h.startOperator(SHORT_DRIFT_MS);
    await registered(h.namespace);
    const theirs = await registered(other);
    await approve(h, theirs.status!.modelPackageArn!, 'Approved');
    await waitIn<Version>(
      h.kc,
      other,
      'modelpackages',
      'v1',
      (o) => o.status?.modelApprovalStatus === 'Approved',
      5 * SHORT_DRIFT_MS,
    );
    const { calls } = await h.cloud.emulator.control.calls({ operation: 'ListModelPackages' });
    expect(calls.some((c) => c.principal === principalA() && c.outcome === 'AccessDeniedException')).toBe(
      true,
    );
  });
});

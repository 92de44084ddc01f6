import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
} from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { ModelPackageSpec, ModelPackageStatus } from '../../../src/crds/model-package.js';
import { rejectionOf } from '../support/apply.js';
import { getJson } from '../support/cluster.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { loadExamples, type Manifest } from '../support/examples.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';
import { callsTo, until } from '../endpoint/support.js';
import * as support from './support.js';
import { followingSpec } from './support.js';

const ENDPOINTS = 'endpoints';
const VERSIONS = 'modelpackages';
const GROUPS = 'modelpackagegroups';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';
/** How often approvals made in the registry are looked for in these tests (the drift interval). */
const DRIFT_MS = 1_000;

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('mre');
  await h.stopOperator();
  await h.startOperator(DRIFT_MS);
});
afterAll(async () => {
  await h.stop();
});

const ready = (o: { status?: { conditions?: { type: string; status: string }[] } } | undefined): boolean =>
  condition(o as never, 'Ready')?.status === 'True';
const endpointName = (name: string): string => `${h.namespace}-${name}`;

const registryGroup = (name: string) => support.registryGroup(h, name);
const registerVersion = (group: string, model: string, approved = false) =>
  support.registerVersion(h, group, model, approved);
const approve = (arn: string, status: 'Approved' | 'Rejected') => support.approve(h, arn, status);
const waitServing = (name: string, version: number) => support.waitServing(h, name, version);

/** The MODEL VERSION column of `kubectl get smep <name> -o wide` (the apiserver's Table). */
async function versionColumn(name: string): Promise<unknown> {
  const table = (await getJson(
    h.kc,
    `/apis/${GROUP}/${VERSION}/namespaces/${h.namespace}/${ENDPOINTS}/${name}`,
    'application/json;as=Table;v=v1;g=meta.k8s.io',
  )) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
  const column = table.columnDefinitions.findIndex((c) => c.name === 'Model Version');
  return table.rows[0]?.cells[column];
}

/** The model package the endpoint's SageMaker model serves, as SageMaker reports it. */
async function servedPackage(name: string): Promise<string | undefined> {
  const endpoint = await h.cloud.sagemaker.send(
    new DescribeEndpointCommand({ EndpointName: endpointName(name) }),
  );
  const config = await h.cloud.sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
  );
  const model = await h.cloud.sagemaker.send(
    new DescribeModelCommand({ ModelName: config.ProductionVariants?.[0]?.ModelName }),
  );
  return model.PrimaryContainer?.ModelPackageName;
}

describe('an Endpoint following the registry', () => {
  it('serves the latest approved version, follows approvals made in the registry and rolls back on a rejection', async () => {
    const group = await registryGroup('outside');
    const v1 = await registerVersion(group, 'v1');
    await h.create(
      ENDPOINTS,
      'Endpoint',
      'follower',
      followingSpec({ modelPackageFrom: { groupName: group, approvalStatus: 'Approved' } }),
    );
    // Nothing approved yet: it waits, without creating anything.
    const waiting = await h.waitFor<EndpointSpec, EndpointStatus>(
      ENDPOINTS,
      'follower',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(condition(waiting, 'Ready')?.message).toContain(
      `approved version in model package group ${group}`,
    );
    expect(await callsTo(h, endpointName('follower'), 'CreateEndpoint')).toHaveLength(0);

    await approve(v1, 'Approved');
    const first = await waitServing('follower', 1);
    expect(first?.status?.modelPackages).toEqual([
      { modelName: 'model', modelPackageArn: v1, modelPackageGroupName: group, modelPackageVersion: 1 },
    ]);
    expect(await servedPackage('follower')).toBe(v1);

    // A pipeline registers version 2 and someone approves it in the registry (Studio, the CLI).
    const v2 = await registerVersion(group, 'v2');
    await approve(v2, 'Approved');
    const second = await waitServing('follower', 2);
    expect(await servedPackage('follower')).toBe(v2);
    expect(condition(second, 'Ready')?.message).toContain(`(model version ${group}/2)`);
    expect(await versionColumn('follower')).toBe(2);
    const updates = await callsTo(h, endpointName('follower'), 'UpdateEndpoint');
    expect(updates).toHaveLength(1);

    // Version 2 rejected: back to the latest approved version that remains.
    await approve(v2, 'Rejected');
    await waitServing('follower', 1);
    expect(await servedPackage('follower')).toBe(v1);
    expect(await callsTo(h, endpointName('follower'), 'UpdateEndpoint')).toHaveLength(2);
    const events = await eventsAbout(h, 'follower');
    expect(events.filter((e) => e.reason === 'Updating').map((e) => e.note)).toEqual([
      expect.stringContaining(`(model version ${group}/2)`),
      expect.stringContaining(`(model version ${group}/1)`),
    ]);
  });

  it('lists a group once per drift interval however many Endpoints follow it', async () => {
    const group = await registryGroup('shared');
    await registerVersion(group, 'v1', true);
    const spec = followingSpec({ modelPackageFrom: { groupName: group, approvalStatus: 'Approved' } });
    await h.create(ENDPOINTS, 'Endpoint', 'shared-a', spec);
    await h.create(ENDPOINTS, 'Endpoint', 'shared-b', spec);
    await waitServing('shared-a', 1);
    await waitServing('shared-b', 1);
    const { calls: before } = await h.cloud.emulator.control.calls({ operation: 'ListModelPackages' });
    const since = before.at(-1)?.seq ?? 0;
    const listsOfGroup = async () =>
      (await h.cloud.emulator.control.calls({ operation: 'ListModelPackages', resource: group, since }))
        .calls;
    await until(async () => (await listsOfGroup()).length >= 4, 30_000);
    const lists = await listsOfGroup();
    // Two followers, one listing: consecutive lists of the group are a drift interval apart.
    for (let i = 1; i < lists.length; i++)
      expect(lists[i]!.time - lists[i - 1]!.time).toBeGreaterThanOrEqual(DRIFT_MS / 2);
  });

  it('keeps serving the old version when the new one fails its health checks: UpdateFailed, no retry loop, on to the next approval', async () => {
    const group = await registryGroup('unhealthy');
    const v1 = await registerVersion(group, 'v1', true);
    await h.create(
      ENDPOINTS,
      'Endpoint',
      'guarded',
      followingSpec({ modelPackageFrom: { groupName: group, approvalStatus: 'Approved' } }),
    );
    const first = await waitServing('guarded', 1);
    const name = endpointName('guarded');
    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome: 'Failed' });
    const v2 = await registerVersion(group, 'v2');
    await approve(v2, 'Approved');
    const failed = await h.waitFor<EndpointSpec, EndpointStatus>(
      ENDPOINTS,
      'guarded',
      (o) => condition(o, 'Synced')?.reason === 'UpdateFailed',
      60_000,
    );
    expect(condition(failed, 'Synced')?.message).toContain('did not pass the ping health check');
    expect(failed?.status?.endpointConfigName).toBe(first?.status?.endpointConfigName);
    expect(failed?.status?.modelPackages?.[0]?.modelPackageVersion).toBe(1);
    expect(await servedPackage('guarded')).toBe(v1);
    // Several listings of the group later, the failed version has not been tried again.
    const { calls: seen } = await h.cloud.emulator.control.calls({ operation: 'ListModelPackages' });
    const since = seen.at(-1)?.seq ?? 0;
    await until(
      async () =>
        (await h.cloud.emulator.control.calls({ operation: 'ListModelPackages', resource: group, since }))
          .calls.length >= 3,
      30_000,
    );
    expect(await callsTo(h, name, 'UpdateEndpoint')).toHaveLength(1);

    // Version 3 (fixed) approved: a new chance, and the endpoint moves on.
    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome: 'Succeeded' });
    const v3 = await registerVersion(group, 'v3');
    await approve(v3, 'Approved');
    const third = await waitServing('guarded', 3);
    expect(condition(third, 'Synced')).toMatchObject({ status: 'True' });
    expect(await servedPackage('guarded')).toBe(v3);
    expect(await callsTo(h, name, 'UpdateEndpoint')).toHaveLength(2);
  });

  it('follows approvals of ModelPackage objects at once, and serves a ModelPackage named by reference', async () => {
    // Approvals made outside are looked for only every 10 minutes here: what follows comes from the watch.
    await h.stopOperator();
    await h.startOperator();
    try {
      await h.create(GROUPS, 'ModelPackageGroup', 'in-cluster', {});
      await h.create(VERSIONS, 'ModelPackage', 'in-cluster-v1', versionSpec('in-cluster', 'v1', 'Approved'));
      await h.create(
        ENDPOINTS,
        'Endpoint',
        'pinned',
        followingSpec({ modelPackageRef: { name: 'in-cluster-v1' } }),
      );
      await h.create(
        ENDPOINTS,
        'Endpoint',
        'tracking',
        followingSpec({ modelPackageFrom: { groupRef: { name: 'in-cluster' }, approvalStatus: 'Approved' } }),
      );
      const v1 = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
        VERSIONS,
        'in-cluster-v1',
        ready,
        60_000,
      );
      await waitServing('pinned', 1);
      await waitServing('tracking', 1);
      await h.create(
        VERSIONS,
        'ModelPackage',
        'in-cluster-v2',
        versionSpec('in-cluster', 'v2', 'PendingManualApproval'),
      );
      await h.waitFor<ModelPackageSpec, ModelPackageStatus>(VERSIONS, 'in-cluster-v2', ready, 60_000);
      // The reviewed edit of the manifest.
      await h.patchSpec(VERSIONS, 'in-cluster-v2', { modelApprovalStatus: 'Approved' });
      await waitServing('tracking', 2);
      // The pinned one stays on the version it names.
      const pinned = await h.get<EndpointSpec, EndpointStatus>(ENDPOINTS, 'pinned');
      expect(pinned?.status?.modelPackages?.[0]?.modelPackageArn).toBe(v1?.status?.modelPackageArn);
      await h.patchSpec(VERSIONS, 'in-cluster-v2', { modelApprovalStatus: 'Rejected' });
      await waitServing('tracking', 1);
    } finally {
      await h.stopOperator();
      await h.startOperator(DRIFT_MS);
    }
  });

  it('refuses a container with two model sources at apply time', async () => {
    const both = rejectionOf(
      h.create(
        ENDPOINTS,
        'Endpoint',
        'two-sources',
        followingSpec({
          image: IMAGE,
          modelPackageFrom: { groupName: 'churn', approvalStatus: 'Approved' },
        }),
      ),
    );
    await expect(both).resolves.toContain('a model package brings its image and model data');
    const twice = rejectionOf(
      h.create(
        ENDPOINTS,
        'Endpoint',
        'two-packages',
        followingSpec({
          modelPackageRef: { name: 'v1' },
          modelPackageFrom: { groupName: 'churn', approvalStatus: 'Approved' },
        }),
      ),
    );
    await expect(twice).resolves.toContain('name the model package once');
  });
});

function versionSpec(
  group: string,
  model: string,
  approval: ModelPackageSpec['modelApprovalStatus'],
): ModelPackageSpec {
  return {
    groupRef: { name: group },
    inferenceSpecification: {
      containers: [{ image: IMAGE, modelDataUrl: `s3://${h.cloud.bucket}/${model}/model.tar.gz` }],
      supportedContentTypes: ['text/csv'],
      supportedResponseMIMETypes: ['text/csv'],
    },
    modelApprovalStatus: approval,
  };
}

describe('the registry examples', () => {
  const apply = async (manifests: readonly Manifest[]) => {
    for (const m of manifests) await h.create(`${m.kind.toLowerCase()}s`, m.kind, m.metadata.name, m.spec);
  };

  it('deploys the secure workflow’s trained model once approved in the manifest, follows version 2 approved in the registry, and goes back when it is rejected', async () => {
    await h.cloud.s3.send(new CreateBucketCommand({ Bucket: 'my-sagemaker-bucket' })).catch(() => undefined);
    await apply((await loadExamples('training')).get('xgboost-private-vpc.yaml')!);
    const registry = await loadExamples('registry');
    const registered = registry.get('xgboost-private-vpc.yaml')!;
    await apply(registered);
    await apply(registry.get('endpoint-follows-approved.yaml')!);
    const v1 = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      VERSIONS,
      'xgboost-private-vpc-v1',
      ready,
      60_000,
    );
    // Registered, not approved: the endpoint waits for an approval.
    await h.waitFor<EndpointSpec, EndpointStatus>(
      ENDPOINTS,
      'xgboost-private-vpc',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(await callsTo(h, endpointName('xgboost-private-vpc'), 'CreateEndpoint')).toHaveLength(0);

    // The reviewed edit of the manifest approves version 1: the endpoint is created with it.
    const version = registered.find((m) => m.kind === 'ModelPackage')!;
    await h.patchSpec(VERSIONS, version.metadata.name, {
      ...version.spec,
      modelApprovalStatus: 'Approved',
      approvalDescription: 'RMSE 0.41 on the validation channel',
    });
    await waitServing('xgboost-private-vpc', 1);
    expect(await servedPackage('xgboost-private-vpc')).toBe(v1?.status?.modelPackageArn);

    // A retraining pipeline registers version 2; a reviewer approves it in the registry.
    const group = v1!.status!.modelPackageGroupName!;
    const v2 = await registerVersion(group, 'retrained');
    await approve(v2, 'Approved');
    await waitServing('xgboost-private-vpc', 2);
    expect(await servedPackage('xgboost-private-vpc')).toBe(v2);

    // Production metrics disappoint: version 2 is rejected, and the endpoint goes back to version 1.
    await approve(v2, 'Rejected');
    await waitServing('xgboost-private-vpc', 1);
    expect(await servedPackage('xgboost-private-vpc')).toBe(v1?.status?.modelPackageArn);
  });
});

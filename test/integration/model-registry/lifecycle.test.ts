import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DeleteModelPackageCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import type {
  ModelPackageGroupSpec,
  ModelPackageGroupStatus,
} from '../../../src/crds/model-package-group.js';
import type { ModelPackageSpec, ModelPackageStatus } from '../../../src/crds/model-package.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { objectsOf, rejectionOf } from '../support/apply.js';
import { loadExamples } from '../support/examples.js';
import { interceptOnce, lostAnswer } from '../support/intercept.js';
import {
  CLOUD_CONSISTENCY,
  condition,
  eventsAbout,
  OperatorHarness,
  TEST_TIMINGS,
  type KubeObjectOf,
} from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';
import { role } from '../../emulator/test-harness.js';
import { customObjects } from '../support/cluster.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { applyPolicy } from '../security-policy/support.js';

type Group = KubeObjectOf<ModelPackageGroupSpec, ModelPackageGroupStatus>;
type Version = KubeObjectOf<ModelPackageSpec, ModelPackageStatus>;
const GROUPS = 'modelpackagegroups';
const VERSIONS = 'modelpackages';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';
const ARN_PREFIX = 'arn:aws:sagemaker:us-east-1:123456789012';

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('mr');
});
afterAll(async () => {
  await h.stop();
});

const groupName = (name: string): string => `${h.namespace}-${name}`;
const ready = (o: { status?: { conditions?: { type: string; status: string }[] } } | undefined): boolean =>
  condition(o as never, 'Ready')?.status === 'True';

function versionSpec(group: string, overrides: Partial<ModelPackageSpec> = {}): ModelPackageSpec {
  return {
    groupRef: { name: group },
    inferenceSpecification: {
      containers: [{ image: IMAGE, modelDataUrl: `s3://${h.cloud.bucket}/models/model.tar.gz` }],
      supportedContentTypes: ['text/csv'],
      supportedResponseMIMETypes: ['text/csv'],
    },
    ...overrides,
  };
}

async function readyGroup(
  name: string,
  spec: Partial<ModelPackageGroupSpec> = {},
): Promise<Group | undefined> {
  await h.create(GROUPS, 'ModelPackageGroup', name, spec);
  return h.waitFor<ModelPackageGroupSpec, ModelPackageGroupStatus>(GROUPS, name, ready);
}

async function readyVersion(name: string, spec: ModelPackageSpec): Promise<Version | undefined> {
  await h.create(VERSIONS, 'ModelPackage', name, spec);
  return h.waitFor<ModelPackageSpec, ModelPackageStatus>(VERSIONS, name, ready);
}

const describeVersion = (arn: string) =>
  h.cloud.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));

describe('ModelPackageGroup', () => {
  it('creates the group with ownership and user tags, and reports it Registered', async () => {
    const group = await readyGroup('churn', {
      modelPackageGroupDescription: 'churn models',
      tags: { team: 'risk' },
    });
    const name = groupName('churn');
    expect(group?.status).toMatchObject({
      modelPackageGroupName: name,
      modelPackageGroupArn: `${ARN_PREFIX}:model-package-group/${name}`,
      modelPackageGroupStatus: 'Completed',
    });
    expect(condition(group, 'Ready')).toMatchObject({ reason: 'Registered' });
    const tags = await h.cloud.sagemaker.send(
      new ListTagsCommand({ ResourceArn: group?.status?.modelPackageGroupArn }),
    );
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'mlops.dev/owner', Value: `ModelPackageGroup/${h.namespace}/churn` },
        { Key: 'team', Value: 'risk' },
      ]),
    );
    const described = await h.cloud.sagemaker.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }),
    );
    expect(described.ModelPackageGroupDescription).toBe('churn models');
    expect((await eventsAbout(h, 'churn')).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['Creating', 'Registered']),
    );
  });

  it('adopts an untagged group when asked to, and leaves a foreign one alone otherwise', async () => {
    for (const name of ['made-by-hand', 'not-ours'])
      await h.cloud.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: name }));
    await h.create(GROUPS, 'ModelPackageGroup', 'intruder', { modelPackageGroupName: 'not-ours' });
    const adopter = await readyGroup('adopter', {
      modelPackageGroupName: 'made-by-hand',
      adoptExisting: true,
    });
    const tags = await h.cloud.sagemaker.send(
      new ListTagsCommand({ ResourceArn: adopter?.status?.modelPackageGroupArn }),
    );
    expect(tags.Tags).toEqual(
      expect.arrayContaining([{ Key: 'mlops.dev/owner', Value: `ModelPackageGroup/${h.namespace}/adopter` }]),
    );
    const intruder = await h.waitFor<ModelPackageGroupSpec, ModelPackageGroupStatus>(
      GROUPS,
      'intruder',
      (o) => condition(o, 'Synced')?.status === 'False',
    );
    expect(condition(intruder, 'Synced')).toMatchObject({ reason: 'AlreadyExists' });
    await h.delete(GROUPS, 'intruder');
    await h.waitFor(GROUPS, 'intruder', (o) => o === undefined);
    const foreign = await h.cloud.sagemaker.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'not-ours' }),
    );
    expect(foreign.ModelPackageGroupStatus).toBe('Completed');
  });

  it('rejects a change of its description at apply time', async () => {
    await readyGroup('fixed', { modelPackageGroupDescription: 'first' });
    const groups = objectsOf(h.kc, h.namespace, 'ModelPackageGroup', GROUPS);
    expect(
      await rejectionOf(groups.patchSpec('fixed', { modelPackageGroupDescription: 'second' })),
    ).toContain('a model package group cannot change once created');
  });
});

describe('ModelPackage', () => {
  it('registers a version in a group of the namespace, with its ownership in its metadata', async () => {
    await readyGroup('fraud');
    const version = await readyVersion(
      'fraud-v1',
      versionSpec('fraud', { customerMetadataProperties: { auc: '0.91' } }),
    );
    const group = groupName('fraud');
    expect(version?.status).toMatchObject({
      modelPackageGroupName: group,
      modelPackageVersion: 1,
      modelPackageArn: `${ARN_PREFIX}:model-package/${group}/1`,
      modelPackageStatus: 'Completed',
      modelApprovalStatus: 'PendingManualApproval',
    });
    expect(condition(version, 'Ready')).toMatchObject({ reason: 'Registered' });
    const described = await describeVersion(version!.status!.modelPackageArn!);
    expect(described.CustomerMetadataProperties).toMatchObject({
      auc: '0.91',
      'mlops.dev/owner': `ModelPackage/${h.namespace}/fraud-v1`,
      'mlops.dev/uid': version!.metadata.uid,
    });
    expect(described.InferenceSpecification?.Containers?.[0]?.Image).toBe(IMAGE);
    const { calls } = await h.cloud.emulator.control.calls({
      operation: 'CreateModelPackage',
      resource: group,
    });
    expect(calls.filter((c) => c.outcome === 'ok')).toHaveLength(1);
  });

  it('registers one version when the answer to its create is lost (the object’s uid is the client token)', async () => {
    await readyGroup('lost');
    const restore = interceptOnce(h, 'CreateModelPackageCommand', async (call) => {
      await call();
      throw lostAnswer();
    });
    try {
      const version = await readyVersion('lost-v1', versionSpec('lost'));
      expect(version?.status?.modelPackageVersion).toBe(1);
      const { calls } = await h.cloud.emulator.control.calls({
        operation: 'CreateModelPackage',
        resource: groupName('lost'),
      });
      expect(calls.filter((c) => c.outcome === 'ok')).toHaveLength(2);
      const { ModelPackageSummaryList } = await h.cloud.sagemaker.send(
        new ListModelPackagesCommand({ ModelPackageGroupName: groupName('lost') }),
      );
      expect(ModelPackageSummaryList).toHaveLength(1);
    } finally {
      restore();
    }
  });

  it('approves through the spec with UpdateModelPackage, with an event', async () => {
    await readyGroup('approve');
    const version = await readyVersion('approve-v1', versionSpec('approve'));
    await h.patchSpec(VERSIONS, 'approve-v1', {
      modelApprovalStatus: 'Approved',
      approvalDescription: 'AUC 0.93 on the holdout set',
    });
    const approved = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      VERSIONS,
      'approve-v1',
      (o) => o?.status?.modelApprovalStatus === 'Approved',
    );
    expect(approved?.status?.approvalDescription).toBe('AUC 0.93 on the holdout set');
    const described = await describeVersion(version!.status!.modelPackageArn!);
    expect(described).toMatchObject({
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'AUC 0.93 on the holdout set',
    });
    const events = await eventsAbout(h, 'approve-v1');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          reason: 'ApprovalChanged',
          note: expect.stringContaining('PendingManualApproval → Approved (by the spec)'),
        }),
      ]),
    );
    const { calls } = await h.cloud.emulator.control.calls({
      operation: 'UpdateModelPackage',
      resource: version!.status!.modelPackageArn!,
    });
    expect(calls.filter((c) => c.outcome === 'ok')).toHaveLength(1);
  });

  it('registers a TrainingJob’s model once the job completes', async () => {
    await readyGroup('trained');
    await h.create(VERSIONS, 'ModelPackage', 'trained-v1', {
      groupRef: { name: 'trained' },
      trainingJobRef: { name: 'train' },
      inferenceSpecification: { supportedContentTypes: ['text/csv'] },
      modelApprovalStatus: 'Approved',
    });
    const waiting = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      VERSIONS,
      'trained-v1',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(condition(waiting, 'Ready')?.message).toContain('TrainingJob train');
    await h.create('trainingjobs', 'TrainingJob', 'train', {
      ...trainingJobSpec(h),
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
    });
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'train',
      (o) => o?.status?.trainingJobStatus === 'Completed',
    );
    const version = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(VERSIONS, 'trained-v1', ready);
    expect(version?.status?.modelApprovalStatus).toBe('Approved');
    const described = await describeVersion(version!.status!.modelPackageArn!);
    expect(described.InferenceSpecification).toMatchObject({
      Containers: [{ Image: 'img:1', ModelDataUrl: job?.status?.modelArtifacts?.s3ModelArtifacts }],
      SupportedContentTypes: ['text/csv'],
    });
  });

  it('refuses changes other than approval at apply time, and names both ways to give a group, a model or a metrics report', async () => {
    await readyGroup('strict');
    await readyVersion('strict-v1', versionSpec('strict'));
    const versions = objectsOf(h.kc, h.namespace, 'ModelPackage', VERSIONS);
    expect(
      await rejectionOf(versions.patchSpec('strict-v1', { modelPackageDescription: 'changed' })),
    ).toContain('a registered model version cannot change');
    expect(
      await rejectionOf(
        versions.create('both-groups', versionSpec('strict', { modelPackageGroupName: 'x' })),
      ),
    ).toContain('set exactly one of groupRef and modelPackageGroupName');
    expect(
      await rejectionOf(
        versions.create('both-models', versionSpec('strict', { trainingJobRef: { name: 'job' } })),
      ),
    ).toContain('set exactly one of trainingJobRef and inferenceSpecification.containers');
    expect(
      await rejectionOf(
        versions.create(
          'reserved',
          versionSpec('strict', { customerMetadataProperties: { 'mlops.dev/uid': 'x' } }),
        ),
      ),
    ).toContain('must not start with "mlops.dev/" (reserved)');
    const report = `s3://${h.cloud.bucket}/evaluation/evaluation.json`;
    const from = { processingJobRef: { name: 'evaluate', outputName: 'evaluation' } };
    expect(
      await rejectionOf(
        versions.create(
          'both-uris',
          versionSpec('strict', {
            modelMetrics: {
              modelQuality: {
                statistics: { contentType: 'application/json', s3Uri: report, s3UriFrom: from },
              },
            },
          }),
        ),
      ),
    ).toContain('set exactly one of s3Uri and s3UriFrom');
    expect(
      await rejectionOf(
        versions.create(
          'no-uri',
          versionSpec('strict', {
            modelMetrics: { bias: { report: { contentType: 'application/json' } } },
          }),
        ),
      ),
    ).toContain('set exactly one of s3Uri and s3UriFrom');
  });

  it('deletes its version under Delete, leaves it under Retain; the group waits until it is empty', async () => {
    await readyGroup('cleanup');
    const kept = await readyVersion('kept', versionSpec('cleanup', { deletionPolicy: 'Retain' }));
    const dropped = await readyVersion('dropped', versionSpec('cleanup'));
    await h.delete(VERSIONS, 'dropped');
    await h.delete(VERSIONS, 'kept');
    await h.waitFor(VERSIONS, 'dropped', (o) => o === undefined);
    await h.waitFor(VERSIONS, 'kept', (o) => o === undefined);
    await expect(describeVersion(dropped!.status!.modelPackageArn!)).rejects.toThrow('does not exist.');
    const retained = await describeVersion(kept!.status!.modelPackageArn!);
    expect(retained.ModelPackageStatus).toBe('Completed');

    await h.delete(GROUPS, 'cleanup');
    const waiting = await h.waitFor<ModelPackageGroupSpec, ModelPackageGroupStatus>(
      GROUPS,
      'cleanup',
      (o) => condition(o, 'Ready')?.message.includes('holds 1 version') === true,
    );
    expect(condition(waiting, 'Ready')).toMatchObject({ status: 'False', reason: 'Deleting' });
    await h.cloud.sagemaker.send(
      new DeleteModelPackageCommand({ ModelPackageName: kept!.status!.modelPackageArn }),
    );
    await h.waitFor(GROUPS, 'cleanup', (o) => o === undefined);
    await expect(
      h.cloud.sagemaker.send(
        new DescribeModelPackageGroupCommand({ ModelPackageGroupName: groupName('cleanup') }),
      ),
    ).rejects.toThrow('does not exist.');
  });

  it('keeps a version whose ownership markers were removed in the registry, with one Warning event', async () => {
    await readyGroup('marks');
    const version = await readyVersion('unmarked', versionSpec('marks'));
    const arn = version!.status!.modelPackageArn!;
    await h.cloud.sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arn,
        CustomerMetadataPropertiesToRemove: ['mlops.dev/owner'],
      }),
    );
    await h.delete(VERSIONS, 'unmarked');
    await h.waitFor(VERSIONS, 'unmarked', (o) => o === undefined);
    expect((await describeVersion(arn)).ModelPackageStatus).toBe('Completed');
    const warnings = (await eventsAbout(h, 'unmarked')).filter((e) => e.reason === 'OwnershipLost');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.note).toContain('kept in the registry');
  });

  it('checks a version against a SecurityPolicy tightened after it was applied, before its create', async () => {
    const creates = async (): Promise<number> =>
      (await h.cloud.emulator.control.calls({ operation: 'CreateModelPackage' })).calls.length;
    await h.create(
      VERSIONS,
      'ModelPackage',
      'validated',
      versionSpec('policed', {
        validationSpecification: {
          validationRole: role,
          validationProfiles: [
            {
              profileName: 'batch',
              transformJobDefinition: {
                transformInput: {
                  dataSource: {
                    s3DataSource: { s3DataType: 'S3Prefix', s3Uri: `s3://${h.cloud.bucket}/batch/in` },
                  },
                },
                transformOutput: { s3OutputPath: `s3://${h.cloud.bucket}/batch/out` },
                transformResources: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
              },
            },
          ],
        },
      }),
    );
    await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      VERSIONS,
      'validated',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    await applyPolicy(h.kc, h.namespace, 'team', { allowedInstanceTypes: ['ml.m5.large'] });
    try {
      const before = await creates();
      await readyGroup('policed');
      const held = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
        VERSIONS,
        'validated',
        (o) => condition(o, 'Synced')?.reason === 'PolicyViolation',
      );
      expect(condition(held, 'Synced')?.message).toContain('SecurityPolicy team');
      expect(held?.status).toMatchObject({ region: 'us-east-1', accountId: expect.any(String) });
      expect(await creates()).toBe(before);
    } finally {
      await customObjects(h.kc).deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: h.namespace,
        plural: 'securitypolicies',
        name: 'team',
      });
    }
    await h.waitFor<ModelPackageSpec, ModelPackageStatus>(VERSIONS, 'validated', ready);
  });

  it('lets its deletion go after --poll-interval-max when SageMaker never shows the version it created', async () => {
    await readyGroup('unseen');
    // The version stays invisible to describes far longer than a describe may lag behind a create.
    await h.cloud.emulator.control.configure({ consistency: { describeAfterCreate: 1_000_000 } });
    try {
      await h.create(VERSIONS, 'ModelPackage', 'unseen', versionSpec('unseen'));
      await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
        VERSIONS,
        'unseen',
        (o) => o?.status?.modelPackageArn !== undefined,
      );
      await h.delete(VERSIONS, 'unseen');
      const deleting = await h.get<ModelPackageSpec, ModelPackageStatus>(VERSIONS, 'unseen');
      const deletionAsked = new Date(
        (deleting?.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp ?? Date.now(),
      ).getTime();
      await h.waitFor(VERSIONS, 'unseen', (o) => o === undefined, 10_000);
      const held = Date.now() - deletionAsked;
      console.info(`deletion held for a version never seen: ${held} ms`);
      // deletionTimestamp has whole seconds: a second more, and a reconcile's worth.
      expect(held).toBeLessThan(TEST_TIMINGS.pollIntervalMaxMs + 2_000);
    } finally {
      await h.cloud.emulator.control.configure({ consistency: CLOUD_CONSISTENCY });
    }
  });

  it('shows an approval made in the registry, without reverting the spec’s', async () => {
    // At rest, approvals made outside are found by the per-group sweep at the drift interval.
    await h.stopOperator();
    await h.startOperator(1_000);
    await readyGroup('outside');
    const version = await readyVersion(
      'outside-v1',
      versionSpec('outside', { modelApprovalStatus: 'Approved' }),
    );
    expect(version?.status?.modelApprovalStatus).toBe('Approved');
    await h.cloud.sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: version!.status!.modelPackageArn,
        ModelApprovalStatus: 'Rejected',
        ApprovalDescription: 'drift found in production data',
      }),
    );
    const rejected = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      VERSIONS,
      'outside-v1',
      (o) => o?.status?.modelApprovalStatus === 'Rejected',
    );
    expect(rejected?.status?.approvalDescription).toBe('drift found in production data');
    const events = await eventsAbout(h, 'outside-v1');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          reason: 'ApprovalChanged',
          note: expect.stringContaining('Approved → Rejected (in the registry)'),
        }),
      ]),
    );
    const { calls } = await h.cloud.emulator.control.calls({
      operation: 'UpdateModelPackage',
      resource: version!.status!.modelPackageArn!,
    });
    // Ours would have come from the operator; the one call is the registry's own approval change.
    expect(calls).toHaveLength(1);
    // A new approval in the spec is applied again.
    await h.patchSpec(VERSIONS, 'outside-v1', { approvalDescription: 'reviewed again: drift is seasonal' });
    await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      VERSIONS,
      'outside-v1',
      (o) => o?.status?.modelApprovalStatus === 'Approved',
    );
  });
});

describe('the registry example', () => {
  it('registers the secure workflow’s trained model and approves it by an edit of the manifest', async () => {
    await h.cloud.s3.send(new CreateBucketCommand({ Bucket: 'my-sagemaker-bucket' })).catch(() => undefined);
    const training = (await loadExamples('training')).get('xgboost-private-vpc.yaml')!;
    for (const m of training) await h.create('trainingjobs', 'TrainingJob', m.metadata.name, m.spec);
    const manifests = (await loadExamples('registry')).get('xgboost-private-vpc.yaml')!;
    for (const m of manifests) await h.create(`${m.kind.toLowerCase()}s`, m.kind, m.metadata.name, m.spec);
    const version = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      VERSIONS,
      'xgboost-private-vpc-v1',
      ready,
      60_000,
    );
    expect(version?.status).toMatchObject({
      modelPackageVersion: 1,
      modelApprovalStatus: 'PendingManualApproval',
    });
    const job = await h.get<TrainingJobSpec, TrainingJobStatus>('trainingjobs', 'xgboost-private-vpc');
    const described = await describeVersion(version!.status!.modelPackageArn!);
    expect(described.InferenceSpecification?.Containers?.[0]?.ModelDataUrl).toBe(
      job?.status?.modelArtifacts?.s3ModelArtifacts,
    );

    // The reviewed edit: approved, with why.
    const edited = manifests.find((m) => m.kind === 'ModelPackage')!;
    await h.patchSpec(VERSIONS, edited.metadata.name, {
      ...edited.spec,
      modelApprovalStatus: 'Approved',
      approvalDescription: 'RMSE 0.41 on the validation channel',
    });
    const approved = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      VERSIONS,
      'xgboost-private-vpc-v1',
      (o) => o?.status?.modelApprovalStatus === 'Approved',
    );
    expect(approved?.status?.approvalDescription).toBe('RMSE 0.41 on the validation channel');
    expect((await describeVersion(version!.status!.modelPackageArn!)).ModelApprovalStatus).toBe('Approved');
  });
});

import {
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DeleteModelPackageCommand,
  DeleteModelPackageGroupCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import type { ModelApprovalStatus } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from '@jest/globals';
import { arn, errorOf, failure, harnessForFile, role, until } from '../../emulator/test-harness.js';

const h = harnessForFile({ resetEach: true });

const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';
const inference = (artifact: string) => ({
  Containers: [{ Image: image, ModelDataUrl: artifact }],
  SupportedContentTypes: ['text/csv'],
  SupportedResponseMIMETypes: ['text/csv'],
});

const createGroup = (name: string) =>
  h.sagemaker.send(
    new CreateModelPackageGroupCommand({
      ModelPackageGroupName: name,
      ModelPackageGroupDescription: 'churn models',
      Tags: [{ Key: 'team', Value: 'risk' }],
    }),
  );

const register = async (group: string, approval?: ModelApprovalStatus, token?: string): Promise<string> =>
  (
    await h.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: group,
        InferenceSpecification: inference(`s3://models/${group}/model.tar.gz`),
        ModelApprovalStatus: approval,
        ClientToken: token,
      }),
    )
  ).ModelPackageArn!;

const describeGroup = (name: string) =>
  h.sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }));
const describePackage = (name: string) =>
  h.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: name }));

describe('model package groups', () => {
  it('reach Completed, carry their tags, refuse a second create and are deleted', async () => {
    const created = await createGroup('churn');
    expect(created.ModelPackageGroupArn).toBe(arn('model-package-group', 'churn'));
    const completed = await until(
      () => describeGroup('churn'),
      (d) => d.ModelPackageGroupStatus === 'Completed',
    );
    expect(completed).toMatchObject({
      ModelPackageGroupName: 'churn',
      ModelPackageGroupDescription: 'churn models',
    });
    const tags = await h.sagemaker.send(new ListTagsCommand({ ResourceArn: created.ModelPackageGroupArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'risk' }]);

    expect(await failure(createGroup('CHURN'))).toMatchObject({
      name: 'ValidationException',
      message: `Model Package Group already exists: ${arn('model-package-group', 'churn')}`,
    });

    await h.sagemaker.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }));
    const gone = await until(
      () => failure(describeGroup('churn')),
      () => true,
    );
    expect(gone).toMatchObject({
      name: 'ValidationException',
      message: `ModelPackageGroup ${arn('model-package-group', 'churn')} does not exist.`,
    });
  });

  it('is deleted only when it holds no versions', async () => {
    await createGroup('full');
    const version = await register('full');
    expect(
      await failure(h.sagemaker.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'full' }))),
    ).toMatchObject({ name: 'ConflictException' });
    await h.sagemaker.send(new DeleteModelPackageCommand({ ModelPackageName: version }));
    await until(
      () => failure(describePackage(version)),
      (e) => e.message === `ModelPackage ${version} does not exist.`,
    );
    await h.sagemaker.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'full' }));
  });

  it('lists by name and creation time, paged', async () => {
    for (const name of ['a-one', 'b-two', 'c-three']) await createGroup(name);
    const first = await h.sagemaker.send(new ListModelPackageGroupsCommand({ MaxResults: 2 }));
    expect(first.ModelPackageGroupSummaryList!.map((g) => g.ModelPackageGroupName)).toEqual([
      'a-one',
      'b-two',
    ]);
    const rest = await h.sagemaker.send(
      new ListModelPackageGroupsCommand({ MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(rest.ModelPackageGroupSummaryList!.map((g) => g.ModelPackageGroupName)).toEqual(['c-three']);
    expect(rest.NextToken).toBeUndefined();
    const byName = await h.sagemaker.send(
      new ListModelPackageGroupsCommand({ SortBy: 'Name', SortOrder: 'Descending', NameContains: 'O' }),
    );
    expect(byName.ModelPackageGroupSummaryList!.map((g) => g.ModelPackageGroupName)).toEqual([
      'b-two',
      'a-one',
    ]);
  });
});

describe('model package versions', () => {
  it('number themselves per group, never reuse a number, and describe by ARN', async () => {
    await createGroup('churn');
    const v1 = await register('churn');
    const v2 = await register('churn', 'Approved');
    expect([v1, v2]).toEqual([arn('model-package', 'churn/1'), arn('model-package', 'churn/2')]);
    await h.sagemaker.send(new DeleteModelPackageCommand({ ModelPackageName: v2 }));
    // A deleted version may still be described for a moment: wait until describe fails.
    await until(
      () => errorOf(describePackage(v2)),
      (error) => error !== undefined,
    );
    expect(await register('churn')).toBe(arn('model-package', 'churn/3'));

    const described = await until(
      () => describePackage(v1),
      (d) => d.ModelPackageStatus === 'Completed',
    );
    expect(described).toMatchObject({
      ModelPackageName: 'churn',
      ModelPackageGroupName: 'churn',
      ModelPackageVersion: 1,
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: inference('s3://models/churn/model.tar.gz'),
    });
  });

  it('answers a create retried with the same client token with the same version', async () => {
    await createGroup('churn');
    const token = '6b1b8a57-8f0a-4c8e-9a54-2a3b8f6c1d20';
    const first = await register('churn', undefined, token);
    expect(await register('churn', undefined, token)).toBe(first);
    expect(await register('churn')).toBe(arn('model-package', 'churn/2'));
  });

  it('refuses a version in a missing group, and tags on a version', async () => {
    expect(await failure(register('nowhere'))).toMatchObject({
      name: 'ValidationException',
      message: `ModelPackageGroup ${arn('model-package-group', 'nowhere')} does not exist.`,
    });
    await createGroup('churn');
    expect(
      await failure(
        h.sagemaker.send(
          new CreateModelPackageCommand({
            ModelPackageGroupName: 'churn',
            InferenceSpecification: inference('s3://models/a.tar.gz'),
            Tags: [{ Key: 'a', Value: 'b' }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationException' });
  });

  it('changes approval with UpdateModelPackage, which moves LastModifiedTime', async () => {
    await createGroup('churn');
    const version = await register('churn');
    const before = await until(
      () => describePackage(version),
      (d) => d.ModelPackageStatus === 'Completed',
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await h.sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: version,
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: 'AUC 0.91 on holdout',
      }),
    );
    const after = await describePackage(version);
    expect(after).toMatchObject({
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'AUC 0.91 on holdout',
    });
    expect(after.LastModifiedTime!.getTime()).toBeGreaterThan(before.LastModifiedTime!.getTime());
    expect(
      await failure(
        h.sagemaker.send(
          new UpdateModelPackageCommand({
            ModelPackageArn: arn('model-package', 'churn/9'),
            ModelApprovalStatus: 'Approved',
          }),
        ),
      ),
    ).toMatchObject({ message: `ModelPackage ${arn('model-package', 'churn/9')} does not exist.` });
  });

  it('lists a group by approval status and creation time, paged', async () => {
    await createGroup('churn');
    await createGroup('fraud');
    await register('churn', 'Approved');
    await register('churn', 'Rejected');
    await register('fraud', 'Approved');
    await register('churn', 'Approved');
    const approved = await h.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: 'churn', ModelApprovalStatus: 'Approved' }),
    );
    expect(approved.ModelPackageSummaryList!.map((p) => p.ModelPackageVersion)).toEqual([1, 3]);
    const latest = await h.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: arn('model-package-group', 'churn'),
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      }),
    );
    expect(latest.ModelPackageSummaryList!.map((p) => p.ModelPackageArn)).toEqual([
      arn('model-package', 'churn/3'),
    ]);
    const next = await h.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: 'churn',
        SortOrder: 'Descending',
        MaxResults: 1,
        NextToken: latest.NextToken,
      }),
    );
    expect(next.ModelPackageSummaryList!.map((p) => p.ModelPackageVersion)).toEqual([2]);
    // Without a group or a type, only unversioned packages are listed.
    expect((await h.sagemaker.send(new ListModelPackagesCommand({}))).ModelPackageSummaryList).toEqual([]);
    const both = await h.sagemaker.send(new ListModelPackagesCommand({ ModelPackageType: 'Both' }));
    expect(both.ModelPackageSummaryList).toHaveLength(4);
  });

  it('give CreateModel their image and model data', async () => {
    await createGroup('churn');
    const version = await register('churn', 'Approved');
    await h.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'from-registry',
        ExecutionRoleArn: role,
        PrimaryContainer: { ModelPackageName: version },
      }),
    );
    const model = await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'from-registry' }));
    expect(model.PrimaryContainer).toMatchObject({
      ModelPackageName: version,
      Image: image,
      ModelDataUrl: 's3://models/churn/model.tar.gz',
    });
    expect(
      await failure(
        h.sagemaker.send(
          new CreateModelCommand({
            ModelName: 'missing-package',
            ExecutionRoleArn: role,
            PrimaryContainer: { ModelPackageName: arn('model-package', 'churn/7') },
          }),
        ),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: `ModelPackage ${arn('model-package', 'churn/7')} does not exist.`,
    });
  });

  it('are refused with a describe that answers not found while reads lag behind the create', async () => {
    await h.emulator.control.configure({ consistency: { describeAfterCreate: 1 / 0.0001 } });
    await createGroup('churn');
    const version = await register('churn');
    expect(await failure(describePackage(version))).toMatchObject({
      message: `ModelPackage ${version} does not exist.`,
    });
  });
});

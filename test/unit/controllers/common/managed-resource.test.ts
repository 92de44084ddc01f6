import { describe, expect, it } from '@jest/globals';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  type CreateTrainingJobRequest,
} from '@aws-sdk/client-sagemaker';
import { ownershipTags } from '../../../../src/aws/tags.js';
import { ManagedResource, type ResourceRef } from '../../../../src/controllers/common/managed-resource.js';
import type { ManagedObject } from '../../../../src/crds/kind.js';
import { underSecurityPolicies } from '../../../../src/controllers/common/security-policies.js';
import { ReconcileError } from '../../../../src/runtime/index.js';
import {
  ACCOUNT,
  FakeSageMaker,
  jobArn,
  NAMESPACE,
  operatorOptions,
  reconcileContext,
} from './fake-reconcile.js';

/*
 * The skeleton's own calls, as the kinds that are not jobs use them: the name recorded before a
 * create, resources named by their content made once, tags claimed and kept, ownership before any
 * stop or delete, and how long an unseen resource is waited for.
 */

interface Status {
  trainingJobName?: string;
  trainingJobArn?: string;
  region?: string;
  accountId?: string;
}

const KIND = { kind: 'TrainingJob', nameField: 'trainingJobName', arnField: 'trainingJobArn' };
const UID = 'uid-1';
const NAME = `${NAMESPACE}-train`;
const OURS = ownershipTags({
  kind: 'TrainingJob',
  namespace: NAMESPACE,
  name: 'train',
  uid: UID,
  clusterName: 'unit',
});

function object(
  status: Status = {},
  spec: ManagedObject['spec'] = {},
  deletionTimestamp?: string,
): ManagedObject {
  return {
    metadata: {
      name: 'train',
      namespace: NAMESPACE,
      uid: UID,
      generation: 1,
      ...(deletionTimestamp && { deletionTimestamp }),
    },
    spec,
    status,
  };
}

function skeleton(sagemaker: FakeSageMaker, obj: ManagedObject) {
  const options = operatorOptions(sagemaker);
  const ctx = reconcileContext<Status>(obj);
  const resource = new ManagedResource<Status>(ctx, obj, options, KIND);
  const ref: ResourceRef<{ TrainingJobArn?: string }> = {
    label: 'training job',
    name: resource.name,
    describe: () => sagemaker.client.send(new DescribeTrainingJobCommand({ TrainingJobName: resource.name })),
    arnOf: (d) => d.TrainingJobArn,
  };
  const create = () =>
    sagemaker.client.send(
      new CreateTrainingJobCommand({
        TrainingJobName: resource.name,
        Tags: resource.tags,
      } as CreateTrainingJobRequest),
    );
  const inReconcile = <T>(work: () => Promise<T>) => underSecurityPolicies(ctx, obj, work);
  return { ctx, resource, ref, create, inReconcile, options };
}

describe('ManagedResource', () => {
  it('names the resource by namespace and name unless spec or status says otherwise', () => {
    const sagemaker = new FakeSageMaker();
    expect(skeleton(sagemaker, object()).resource.name).toBe(NAME);
    expect(
      skeleton(sagemaker, object({}, { trainingJobName: 'chosen' } as ManagedObject['spec'])).resource.name,
    ).toBe('chosen');
    expect(skeleton(sagemaker, object({ trainingJobName: 'recorded' })).resource.name).toBe('recorded');
  });

  it('records the name, region and account before a create, and writes nothing when they are there', async () => {
    const first = skeleton(new FakeSageMaker(), object());
    await first.resource.recordName();
    expect(first.ctx.stored().status).toEqual({
      trainingJobName: NAME,
      region: 'us-east-1',
      accountId: ACCOUNT,
    });
    expect(first.ctx.writes()).toBe(1);
    const again = skeleton(new FakeSageMaker(), object(first.ctx.stored().status as Status));
    await again.resource.recordName();
    expect(again.ctx.writes()).toBe(0);
  });

  const ensureCases: {
    name: string;
    tags?: { Key: string; Value: string }[];
    adoptExisting?: boolean;
    expected: { outcome?: string; calls: string[]; error?: string; tags?: { Key: string; Value: string }[] };
  }[] = [
    {
      name: 'creates what is absent',
      expected: {
        outcome: 'present',
        calls: [`DescribeTrainingJob ${NAME}`, `CreateTrainingJob ${NAME}`],
        tags: OURS,
      },
    },
    {
      name: 'claims what is ours without creating it again',
      tags: OURS,
      expected: {
        outcome: 'present',
        calls: [`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`],
        tags: OURS,
      },
    },
    {
      name: 'takes over what an earlier object of the same name made (another uid)',
      tags: ownershipTags({
        kind: 'TrainingJob',
        namespace: NAMESPACE,
        name: 'train',
        uid: 'uid-0',
        clusterName: 'unit',
      }),
      expected: {
        outcome: 'present',
        calls: [`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`, `AddTags ${jobArn(NAME)}`],
        tags: OURS,
      },
    },
    {
      name: "refuses someone else's: AlreadyExists, and its tags untouched",
      tags: [{ Key: 'team', Value: 'b' }],
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`],
        error: 'AlreadyExists',
        tags: [{ Key: 'team', Value: 'b' }],
      },
    },
  ];

  it.each(ensureCases)('ensure: $name', async ({ tags, expected }) => {
    const sagemaker = new FakeSageMaker();
    if (tags) sagemaker.jobs.set(NAME, { arn: jobArn(NAME), status: 'InProgress', tags: [...tags] });
    const { resource, ref, create, inReconcile, ctx } = skeleton(sagemaker, object());
    const outcome = await inReconcile(() => resource.ensure(ref, create)).catch((err: unknown) => err);
    expect(sagemaker.calls).toEqual(expected.calls);
    if (expected.error) {
      expect(outcome).toBeInstanceOf(ReconcileError);
      expect(outcome).toMatchObject({ errorClass: 'terminal', reason: expected.error });
      await ctx.status.flush();
      expect(ctx.stored().status).toMatchObject({
        conditions: [expect.objectContaining({ type: 'Ready', status: 'False', reason: expected.error })],
      });
    } else {
      expect(outcome).toBe(expected.outcome);
    }
    if (expected.tags) expect(sagemaker.jobs.get(NAME)?.tags).toEqual(expected.tags);
  });

  it('puts back tags edited outside Kubernetes, once per reconcile', async () => {
    const sagemaker = new FakeSageMaker();
    sagemaker.jobs.set(NAME, {
      arn: jobArn(NAME),
      status: 'Completed',
      tags: [...OURS.filter((t) => t.Key !== OURS[0]?.Key), { Key: 'edited', Value: 'by hand' }],
    });
    const { resource } = skeleton(sagemaker, object());
    await resource.correctTags(jobArn(NAME));
    await resource.correctTags(jobArn(NAME));
    expect(sagemaker.calls).toEqual([
      `ListTags ${jobArn(NAME)}`,
      `AddTags ${jobArn(NAME)}`,
      `DeleteTags ${jobArn(NAME)}`,
    ]);
    expect(sagemaker.jobs.get(NAME)?.tags).toEqual(expect.arrayContaining(OURS));
    expect(sagemaker.jobs.get(NAME)?.tags).toHaveLength(OURS.length);
  });

  it('owns only what carries its tags', async () => {
    const sagemaker = new FakeSageMaker();
    sagemaker.jobs.set('ours', { arn: jobArn('ours'), status: 'Completed', tags: OURS });
    sagemaker.jobs.set('theirs', { arn: jobArn('theirs'), status: 'Completed', tags: [] });
    const { resource } = skeleton(sagemaker, object());
    expect(await resource.owns(jobArn('ours'))).toBe(true);
    expect(await resource.owns(jobArn('theirs'))).toBe(false);
  });

  it.each([
    { name: 'nothing created', arn: undefined, state: undefined, deleting: undefined, expected: false },
    { name: 'created, never seen', arn: jobArn(NAME), state: undefined, deleting: undefined, expected: true },
    {
      name: 'created and seen',
      arn: jobArn(NAME),
      state: 'InProgress',
      deleting: undefined,
      expected: false,
    },
    { name: 'deleting, just now', arn: jobArn(NAME), state: undefined, deleting: 0, expected: true },
    {
      name: 'deleting, for longer than a describe lags',
      arn: jobArn(NAME),
      state: undefined,
      deleting: 61_000,
      expected: false,
    },
  ])('an unseen resource may still appear: $name', ({ arn, state, deleting, expected }) => {
    const at = deleting === undefined ? undefined : new Date(Date.now() - deleting).toISOString();
    const { resource } = skeleton(new FakeSageMaker(), object({}, {}, at));
    expect(resource.mayStillAppear(arn, state)).toBe(expected);
  });

  it('refuses to act in another account once it created something there', async () => {
    const sagemaker = new FakeSageMaker();
    const obj = object({ trainingJobName: NAME, trainingJobArn: jobArn(NAME), accountId: '210987654321' });
    const { resource, ref } = skeleton(sagemaker, obj);
    await expect(resource.find(ref)).rejects.toMatchObject({
      errorClass: 'terminal',
      reason: 'IdentityChanged',
    });
    expect(sagemaker.calls).toEqual([]);
  });
});

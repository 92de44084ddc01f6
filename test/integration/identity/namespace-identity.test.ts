import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REGION_ANNOTATION, ROLE_ANNOTATION } from '../../../src/controllers/common/identity.js';
import type { ModelPackageStatus } from '../../../src/crds/model-package.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import type { TransformJobStatus } from '../../../src/crds/transform-job.js';
import { annotateNamespace } from '../support/cluster.js';
import { createIn, waitIn } from '../support/namespaced.js';
import { loadExamples } from '../support/examples.js';
import { condition, eventsAbout, OperatorHarness, type KubeObjectOf } from '../support/operator.js';
import { role } from '../../emulator/test-harness.js';
import { trainingJobSpec } from '../training-job/support.js';
import { transformFromTraining } from '../transform-job/support.js';

type Job = KubeObjectOf<TrainingJobSpec, TrainingJobStatus>;
const PLURAL = 'trainingjobs';
const TEAM_A = 'arn:aws:iam::111111111111:role/team-a';
const TEAM_B = 'arn:aws:iam::222222222222:role/team-b';
const ELSEWHERE = 'arn:aws:iam::333333333333:role/elsewhere';
const TRANSFORMS = 'transformjobs';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';
let h: OperatorHarness;
let other: string;

beforeAll(async () => {
  h = await OperatorHarness.start('id-a');
  await annotate(h.namespace, { [ROLE_ANNOTATION]: TEAM_A });
  other = await h.addNamespace('id-b');
  await annotate(other, { [ROLE_ANNOTATION]: TEAM_B, [REGION_ANNOTATION]: 'eu-west-1' });
});
afterAll(async () => {
  await h.stop();
});

const annotate = (namespace: string, annotations: Record<string, string | null>): Promise<void> =>
  annotateNamespace(h.kc, namespace, annotations);

const createJob = (
  namespace: string,
  name: string,
  annotations: Record<string, string> = {},
  spec: object = trainingJobSpec(h),
): Promise<void> => createIn(h.kc, namespace, PLURAL, 'TrainingJob', name, spec, annotations);

const waitForJob = (namespace: string, name: string, check: (job: Job) => boolean): Promise<Job> =>
  waitIn(h.kc, namespace, PLURAL, name, check);

/** An object of the harness's namespace once `check` holds. */
async function waitForObject<T>(
  plural: string,
  name: string,
  check: (o: KubeObjectOf<unknown, T>) => boolean,
): Promise<KubeObjectOf<unknown, T>> {
  const found = await h.waitFor<unknown, T>(plural, name, (o) => o !== undefined && check(o), 60_000);
  if (found === undefined) throw new Error(`${name} is gone`);
  return found;
}

/** The principals that made `operation` calls about `resource`, as the emulator's call log shows them. */
async function principalsOf(operation: string, resource: string): Promise<(string | undefined)[]> {
  const { calls } = await h.cloud.emulator.control.calls({ operation, resource });
  return calls.map((call) => call.principal);
}

describe("a namespace's AWS identity", () => {
  it("creates each namespace's objects as its own role, in its account and region, whatever the object asks", async () => {
    await createJob(h.namespace, 'mine', { [ROLE_ANNOTATION]: TEAM_B });
    await createJob(other, 'theirs');
    const mine = await waitForJob(h.namespace, 'mine', (job) => job.status?.trainingJobArn !== undefined);
    const theirs = await waitForJob(other, 'theirs', (job) => job.status?.trainingJobArn !== undefined);

    expect(await principalsOf('CreateTrainingJob', `${h.namespace}-mine`)).toEqual([
      `arn:aws:sts::111111111111:assumed-role/team-a/${h.namespace}`,
    ]);
    expect(new Set(await principalsOf('DescribeTrainingJob', `${h.namespace}-mine`))).toEqual(
      new Set([`arn:aws:sts::111111111111:assumed-role/team-a/${h.namespace}`]),
    );
    expect(await principalsOf('CreateTrainingJob', `${other}-theirs`)).toEqual([
      `arn:aws:sts::222222222222:assumed-role/team-b/${other}`,
    ]);
    expect(mine.status).toMatchObject({ accountId: '111111111111', region: 'us-east-1' });
    expect(theirs.status).toMatchObject({ accountId: '222222222222', region: 'eu-west-1' });
  });

  it('does nothing in another account when the namespace role moves there, and carries on when it comes back', async () => {
    await createJob(h.namespace, 'moved');
    const created = await waitForJob(h.namespace, 'moved', (job) => job.status?.trainingJobArn !== undefined);
    expect(created.status?.accountId).toBe('111111111111');

    await annotate(h.namespace, { [ROLE_ANNOTATION]: ELSEWHERE });
    const stuck = await waitForJob(
      h.namespace,
      'moved',
      (job) => condition(job, 'Synced')?.reason === 'IdentityChanged',
    );
    expect(condition(stuck, 'Synced')?.message).toContain('account 111111111111');
    expect((await eventsAbout(h, 'moved')).filter((e) => e.reason === 'IdentityChanged')).toHaveLength(1);
    const principals = [
      ...(await principalsOf('DescribeTrainingJob', `${h.namespace}-moved`)),
      ...(await principalsOf('CreateTrainingJob', `${h.namespace}-moved`)),
    ];
    expect(principals.filter((p) => p?.includes('333333333333'))).toEqual([]);

    await annotate(h.namespace, { [ROLE_ANNOTATION]: TEAM_A });
    await waitForJob(h.namespace, 'moved', (job) => condition(job, 'Synced')?.status === 'True');
    expect(await principalsOf('CreateTrainingJob', `${h.namespace}-moved`)).toHaveLength(1);
  });

  it('lets an object that created nothing follow its namespace to another account, and be deleted at once', async () => {
    const transform = transformFromTraining(
      h,
      `s3://${h.cloud.bucket}/batch/none`,
      'waiting',
      'never-trained',
    );
    await h.create(TRANSFORMS, 'TransformJob', 'waiting', transform);
    const waiting = await waitForObject<TransformJobStatus>(
      TRANSFORMS,
      'waiting',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference' && o.status?.accountId !== undefined,
    );
    expect(waiting.status?.accountId).toBe('111111111111');

    await annotate(h.namespace, { [ROLE_ANNOTATION]: ELSEWHERE });
    try {
      const moved = await waitForObject<TransformJobStatus>(
        TRANSFORMS,
        'waiting',
        (o) => o.status?.accountId === '333333333333',
      );
      expect(condition(moved, 'Ready')?.reason).toBe('WaitingForReference');
      expect(condition(moved, 'Synced')?.reason).not.toBe('IdentityChanged');
      await h.delete(TRANSFORMS, 'waiting');
      await h.waitFor(TRANSFORMS, 'waiting', (o) => o === undefined);
    } finally {
      await annotate(h.namespace, { [ROLE_ANNOTATION]: TEAM_A });
    }
  });

  it('holds a model version at IdentityChanged when its namespace moves to another account', async () => {
    await h.create('modelpackagegroups', 'ModelPackageGroup', 'registry', {});
    await h.create('modelpackages', 'ModelPackage', 'version', {
      groupRef: { name: 'registry' },
      inferenceSpecification: {
        containers: [{ image: IMAGE, modelDataUrl: `s3://${h.cloud.bucket}/models/model.tar.gz` }],
        supportedContentTypes: ['text/csv'],
        supportedResponseMIMETypes: ['text/csv'],
      },
    });
    const registered = await waitForObject<ModelPackageStatus>(
      'modelpackages',
      'version',
      (o) => condition(o, 'Ready')?.status === 'True',
    );
    expect(registered.status).toMatchObject({ accountId: '111111111111', region: 'us-east-1' });

    await annotate(h.namespace, { [ROLE_ANNOTATION]: ELSEWHERE });
    try {
      const stuck = await waitForObject<ModelPackageStatus>(
        'modelpackages',
        'version',
        (o) => condition(o, 'Synced')?.reason === 'IdentityChanged',
      );
      expect(condition(stuck, 'Synced')?.message).toContain('account 111111111111');
      const { calls } = await h.cloud.emulator.control.calls({ operation: 'DescribeModelPackage' });
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.filter((call) => call.principal?.includes('333333333333'))).toEqual([]);
    } finally {
      await annotate(h.namespace, { [ROLE_ANNOTATION]: TEAM_A });
    }
    await waitForObject<ModelPackageStatus>(
      'modelpackages',
      'version',
      (o) => condition(o, 'Synced')?.status === 'True',
    );
  });

  it("applies the two teams' example: each namespace's job created as its role", async () => {
    const manifests = (await loadExamples('identity')).get('two-teams.yaml') ?? [];
    const namespaces = new Map<string, string>();
    for (const m of manifests.filter((m) => m.kind === 'Namespace'))
      namespaces.set(m.metadata.name, await h.addNamespace(m.metadata.name, m.metadata.annotations));
    const jobs = manifests.filter((m) => m.kind === 'TrainingJob');
    expect(jobs).toHaveLength(2);
    for (const job of jobs) {
      const namespace = namespaces.get(job.metadata.namespace ?? '') ?? '';
      // The emulator is one account: the execution role must be in it (it refuses a cross-account PassRole, as SageMaker does).
      await createJob(namespace, job.metadata.name, {}, { ...job.spec, roleArn: role });
      await waitForJob(namespace, job.metadata.name, (o) => o.status?.trainingJobArn !== undefined);
    }
    const teamA = namespaces.get('team-a') ?? '';
    const teamB = namespaces.get('team-b') ?? '';
    expect(await principalsOf('CreateTrainingJob', `${teamA}-churn`)).toEqual([
      `arn:aws:sts::111111111111:assumed-role/sagemaker-team-a/${teamA}`,
    ]);
    expect(await principalsOf('CreateTrainingJob', `${teamB}-fraud`)).toEqual([
      `arn:aws:sts::222222222222:assumed-role/sagemaker-team-b/${teamB}`,
    ]);
  });

  it('refuses a namespace without a role when the operator requires one, until a cluster admin sets it', async () => {
    h.requireNamespaceRole = true;
    await h.restartOperator();
    await annotate(other, { [ROLE_ANNOTATION]: null });
    await createJob(other, 'unset');
    const refused = await waitForJob(
      other,
      'unset',
      (job) => condition(job, 'Synced')?.reason === 'IdentityNotSet',
    );
    expect(condition(refused, 'Synced')?.message).toContain(ROLE_ANNOTATION);
    expect(condition(refused, 'Stalled')?.status).toBe('True');
    const { calls } = await h.cloud.emulator.control.calls({ resource: `${other}-unset` });
    expect(calls).toEqual([]);

    await annotate(other, { [ROLE_ANNOTATION]: TEAM_B });
    await waitForJob(other, 'unset', (job) => job.status?.trainingJobArn !== undefined);
    expect(await principalsOf('CreateTrainingJob', `${other}-unset`)).toEqual([
      `arn:aws:sts::222222222222:assumed-role/team-b/${other}`,
    ]);
  });
});

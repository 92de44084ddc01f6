import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DescribeTrainingJobCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { metricValue } from '../../emulator/training.js';
import { role } from '../../emulator/test-harness.js';
import { loadExamples } from '../support/examples.js';
import { condition, eventsAbout, OperatorHarness, type KubeObjectOf } from '../support/operator.js';
import { foreignTrainingJob } from './support.js';

type Job = KubeObjectOf<TrainingJobSpec, TrainingJobStatus>;
const PLURAL = 'trainingjobs';
let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('tj');
});
afterAll(async () => {
  await h.stop();
});

function spec(overrides: Partial<TrainingJobSpec> = {}): TrainingJobSpec {
  return {
    roleArn: role,
    algorithmSpecification: {
      trainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1',
      trainingInputMode: 'File',
    },
    hyperParameters: { num_round: '5' },
    inputDataConfig: [
      {
        channelName: 'train',
        dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: `s3://${h.cloud.bucket}/train` } },
      },
    ],
    outputDataConfig: { s3OutputPath: `s3://${h.cloud.bucket}/output` },
    resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
    stoppingCondition: { maxRuntimeInSeconds: 3600 },
    ...overrides,
  };
}

const jobName = (name: string): string => `${h.namespace}-${name}`;
const status = (obj: Job | undefined): string | undefined => obj?.status?.trainingJobStatus;

/** Calls to `operation` about `resource`; with `outcome`, only those answered so ('ok'). */
async function callsFor(resource: string, operation: string, outcome?: string): Promise<number> {
  const { calls } = await h.cloud.emulator.control.calls({ resource, operation });
  return calls.filter((c) => outcome === undefined || c.outcome === outcome).length;
}

describe('TrainingJob', () => {
  it('runs to Completed and mirrors artifacts, metrics, times, conditions and events', async () => {
    const metricDefinitions = [{ name: 'validation:rmse', regex: 'validation-rmse:([0-9.]+)' }];
    await h.create(
      PLURAL,
      'TrainingJob',
      'happy',
      spec({
        algorithmSpecification: {
          trainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1',
          trainingInputMode: 'File',
          metricDefinitions,
        },
      }),
    );
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'happy',
      (o) => status(o) === 'Completed',
    );
    const name = jobName('happy');
    expect(job?.status).toMatchObject({
      trainingJobName: name,
      trainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${name}`,
      secondaryStatus: 'Completed',
      modelArtifacts: { s3ModelArtifacts: `s3://${h.cloud.bucket}/output/${name}/output/model.tar.gz` },
      observedGeneration: 1,
    });
    expect(job?.status?.trainingStartTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(job?.status?.logsUrl).toContain(name);
    expect(condition(job, 'Ready')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(condition(job, 'Succeeded')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(condition(job, 'Synced')).toMatchObject({ status: 'True' });
    expect(await h.cloud.keys(`output/${name}/output/`)).toContain(`output/${name}/output/model.tar.gz`);
    expect(job?.status?.finalMetricDataList).toEqual([
      expect.objectContaining({ metricName: 'validation:rmse', value: metricValue(name, 'validation:rmse') }),
    ]);
    expect(await callsFor(name, 'CreateTrainingJob')).toBe(1);
    const reasons = (await eventsAbout(h, 'happy')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Creating', 'InProgress', 'Completed']));
  });

  it("reports a failed job with SageMaker's reason", async () => {
    const reason = 'AlgorithmError: the training script exited with code 1';
    await h.cloud.emulator.control.steer({
      kind: 'TrainingJob',
      name: jobName('fails'),
      outcome: 'Failed',
      failureReason: reason,
    });
    await h.create(PLURAL, 'TrainingJob', 'fails', spec());
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'fails',
      (o) => status(o) === 'Failed',
    );
    expect(job?.status?.failureReason).toBe(reason);
    expect(condition(job, 'Succeeded')).toMatchObject({ status: 'False', reason: 'Failed', message: reason });
    expect(condition(job, 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
  });

  it('reports MaxRuntimeExceeded as Stopped', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'TrainingJob',
      name: jobName('too-long'),
      outcome: 'MaxRuntimeExceeded',
    });
    await h.create(PLURAL, 'TrainingJob', 'too-long', spec());
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'too-long',
      (o) => status(o) === 'Stopped',
    );
    expect(job?.status?.secondaryStatus).toBe('MaxRuntimeExceeded');
    expect(condition(job, 'Succeeded')).toMatchObject({ status: 'False', reason: 'Stopped' });
  });

  it('stops a running job on delete, then deletes its record so the name can be reused', async () => {
    // Training lasts long enough that the job is still running when the delete reaches it.
    await h.cloud.emulator.control.configure({ timings: { trainingTraining: 10_000_000 } });
    try {
      await h.create(PLURAL, 'TrainingJob', 'stop-me', spec());
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        'stop-me',
        (o) => status(o) === 'InProgress',
      );
      await h.delete(PLURAL, 'stop-me');
      await h.waitFor(PLURAL, 'stop-me', (o) => o === undefined);
    } finally {
      await h.cloud.emulator.control.configure({ timings: { trainingTraining: 100 } });
    }
    const name = jobName('stop-me');
    expect(await callsFor(name, 'StopTrainingJob')).toBe(1);
    expect(await callsFor(name, 'DeleteTrainingJob')).toBe(1);
    await expect(
      h.cloud.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name })),
    ).rejects.toThrow(/Requested resource not found/);
  });

  it('leaves the job in SageMaker under deletionPolicy Retain', async () => {
    await h.create(PLURAL, 'TrainingJob', 'keep-me', spec({ deletionPolicy: 'Retain' }));
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(PLURAL, 'keep-me', (o) => status(o) === 'InProgress');
    await h.delete(PLURAL, 'keep-me');
    await h.waitFor(PLURAL, 'keep-me', (o) => o === undefined);
    const name = jobName('keep-me');
    const described = await h.cloud.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    expect(described.TrainingJobName).toBe(name);
    expect(await callsFor(name, 'StopTrainingJob')).toBe(0);
  });

  it('adopts an existing untagged job when asked to, and leaves a foreign one alone otherwise', async () => {
    const adopted = await foreignTrainingJob(h, 'made-by-hand');
    const foreign = await foreignTrainingJob(h, 'not-ours');

    await h.create(
      PLURAL,
      'TrainingJob',
      'adopter',
      spec({ trainingJobName: 'made-by-hand', adoptExisting: true }),
    );
    await h.create(PLURAL, 'TrainingJob', 'intruder', spec({ trainingJobName: 'not-ours' }));

    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'adopter',
      (o) => status(o) === 'Completed',
    );
    expect(job?.status?.trainingJobArn).toBe(adopted.TrainingJobArn);
    const tags = await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: adopted.TrainingJobArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'mlops.dev/managed-by', Value: 'sagemaker-operator' },
        { Key: 'mlops.dev/owner', Value: `TrainingJob/${h.namespace}/adopter` },
      ]),
    );
    // Describes lag behind creates: a create of ours may have been refused ("name taken"), none landed.
    expect(await callsFor('made-by-hand', 'CreateTrainingJob', 'ok')).toBe(1);

    const intruder = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'intruder',
      (o) => condition(o, 'Synced')?.status === 'False',
    );
    expect(condition(intruder, 'Synced')).toMatchObject({ reason: 'AlreadyExists' });
    expect(intruder?.status?.trainingJobArn).toBeUndefined();
    const foreignTags = await h.cloud.sagemaker.send(
      new ListTagsCommand({ ResourceArn: foreign.TrainingJobArn }),
    );
    expect(foreignTags.Tags).toEqual([{ Key: 'owner', Value: 'someone-else' }]);

    await h.delete(PLURAL, 'intruder');
    await h.waitFor(PLURAL, 'intruder', (o) => o === undefined);
    expect(await callsFor('not-ours', 'StopTrainingJob')).toBe(0);
    expect(await callsFor('not-ours', 'DeleteTrainingJob')).toBe(0);
  });

  it('updates tags with AddTags and DeleteTags', async () => {
    await h.create(PLURAL, 'TrainingJob', 'tagged', spec({ tags: { team: 'ml', cost: 'a' } }));
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'tagged',
      (o) => status(o) === 'Completed',
    );
    await h.patchSpec(PLURAL, 'tagged', { tags: { team: 'ml', cost: null, env: 'prod' } });
    const arn = job?.status?.trainingJobArn;
    const userTags = async (): Promise<Record<string, string>> => {
      const { Tags } = await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: arn }));
      const user = (Tags ?? []).filter((t) => !t.Key?.startsWith('mlops.dev/'));
      return Object.fromEntries(user.map((t): [string, string] => [t.Key ?? '', t.Value ?? '']));
    };
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'tagged',
      (o) => o?.status?.observedGeneration === 2,
    );
    expect(await userTags()).toEqual({ team: 'ml', env: 'prod' });
  });

  it('surfaces a spec SageMaker rejects as InvalidSpec with its message, without retrying', async () => {
    await h.create(
      PLURAL,
      'TrainingJob',
      'rejected',
      spec({
        roleArn: 'arn:aws:iam::999999999999:role/in-another-account',
      }),
    );
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'rejected',
      (o) => condition(o, 'Synced')?.status === 'False',
    );
    expect(condition(job, 'Synced')).toMatchObject({ reason: 'InvalidSpec' });
    expect(condition(job, 'Synced')?.message).toContain('ValidationException');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await callsFor(jobName('rejected'), 'CreateTrainingJob')).toBe(1);
  });

  it('applies every training example end to end', async () => {
    await h.cloud.s3.send(new CreateBucketCommand({ Bucket: 'my-sagemaker-bucket' })).catch(() => undefined);
    const names: string[] = [];
    for (const [, manifests] of await loadExamples('training')) {
      for (const manifest of manifests) {
        await h.create(PLURAL, 'TrainingJob', manifest.metadata.name, manifest.spec);
        names.push(manifest.metadata.name);
      }
    }
    for (const name of names) {
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(PLURAL, name, (o) => status(o) === 'Completed');
    }
  });
});

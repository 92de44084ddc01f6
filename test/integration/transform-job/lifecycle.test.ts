import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateTransformJobCommand,
  DescribeModelCommand,
  DescribeTransformJobCommand,
  ListTagsCommand,
} from '@aws-sdk/client-sagemaker';
import type { TransformJobSpec, TransformJobStatus } from '../../../src/crds/transform-job.js';
import { role } from '../../emulator/test-harness.js';
import { callsFor as jobCalls, withTimings } from '../support/jobs.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';
import { batchInput, existingModel, IMAGE, PLURAL, transformJobSpec, type TransformJob } from './support.js';

let h: OperatorHarness;
let input: string;

beforeAll(async () => {
  h = await OperatorHarness.start('tf');
  await existingModel(h, 'batch-model');
  input = await batchInput(h, 'lifecycle');
});
afterAll(async () => {
  await h.stop();
});

const jobName = (name: string): string => `${h.namespace}-${name}`;
const status = (obj: TransformJob | undefined): string | undefined => obj?.status?.transformJobStatus;
const spec = (name: string, overrides: Partial<TransformJobSpec> = {}) =>
  transformJobSpec(h, input, name, overrides);

const callsFor = (resource: string, operation: string, outcome?: string) =>
  jobCalls(h, resource, operation, outcome);

/** Keeps transform jobs running long enough for a delete to reach one still InProgress. */
const whileTransformsRunLong = (run: () => Promise<void>) =>
  withTimings(h, { transformRunning: 10_000_000 }, { transformRunning: 300 }, run);

describe('TransformJob', () => {
  it('runs to Completed, writes one .out per input object and mirrors status, conditions and events', async () => {
    await h.create(PLURAL, 'TransformJob', 'happy', spec('happy'));
    const job = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      PLURAL,
      'happy',
      (o) => status(o) === 'Completed',
    );
    const name = jobName('happy');
    expect(job?.status).toMatchObject({
      transformJobName: name,
      transformJobArn: `arn:aws:sagemaker:us-east-1:123456789012:transform-job/${name}`,
      modelName: 'batch-model',
      outputPath: `s3://${h.cloud.bucket}/results/happy`,
      observedGeneration: 1,
    });
    expect(job?.status?.transformEndTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(condition(job, 'Ready')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(condition(job, 'Succeeded')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(condition(job, 'Stalled')).toMatchObject({ status: 'False' });
    expect((await h.cloud.keys('results/happy/')).sort()).toEqual([
      'results/happy/a.csv.out',
      'results/happy/b.csv.out',
    ]);
    expect(await callsFor(name, 'CreateTransformJob', 'ok')).toBe(1);
    // A running job is described only at the drift interval here: its completion was found by a sweep.
    expect((await h.cloud.emulator.control.calls({ operation: 'ListTransformJobs' })).calls).not.toEqual([]);
    const reasons = (await eventsAbout(h, 'happy')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Creating', 'Completed']));
  });

  it("reports a failed job with SageMaker's reason, Stalled", async () => {
    const reason = 'ClientError: the model container exited with code 137';
    await h.cloud.emulator.control.steer({
      kind: 'TransformJob',
      name: jobName('fails'),
      outcome: 'Failed',
      failureReason: reason,
    });
    await h.create(PLURAL, 'TransformJob', 'fails', spec('fails'));
    const job = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      PLURAL,
      'fails',
      (o) => status(o) === 'Failed',
    );
    expect(job?.status?.failureReason).toBe(reason);
    expect(condition(job, 'Succeeded')).toMatchObject({ status: 'False', reason: 'Failed', message: reason });
    expect(condition(job, 'Stalled')).toMatchObject({ status: 'True', reason: 'Failed' });
    expect((await eventsAbout(h, 'fails')).filter((e) => e.type === 'Warning')).toHaveLength(1);
  });

  it('surfaces a model SageMaker does not have as InvalidSpec with its message, Stalled', async () => {
    await h.create(PLURAL, 'TransformJob', 'no-model', spec('no-model', { modelName: 'missing-model' }));
    const job = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      PLURAL,
      'no-model',
      (o) => condition(o, 'Synced')?.status === 'False',
    );
    expect(condition(job, 'Synced')).toMatchObject({ reason: 'InvalidSpec' });
    expect(condition(job, 'Synced')?.message).toContain('Could not find model');
    expect(condition(job, 'Stalled')).toMatchObject({ status: 'True' });
    expect(await callsFor(jobName('no-model'), 'CreateTransformJob')).toBe(1);
  });

  it('stops a running job on delete (there is no DeleteTransformJob)', async () => {
    await whileTransformsRunLong(async () => {
      await h.create(PLURAL, 'TransformJob', 'stop-me', spec('stop-me'));
      await h.waitFor<TransformJobSpec, TransformJobStatus>(
        PLURAL,
        'stop-me',
        (o) => status(o) === 'InProgress',
      );
      await h.delete(PLURAL, 'stop-me');
      await h.waitFor(PLURAL, 'stop-me', (o) => o === undefined);
    });
    const name = jobName('stop-me');
    expect(await callsFor(name, 'StopTransformJob')).toBe(1);
    const described = await h.cloud.sagemaker.send(
      new DescribeTransformJobCommand({ TransformJobName: name }),
    );
    expect(['Stopping', 'Stopped']).toContain(described.TransformJobStatus);
    // A stopped job stores no output.
    expect(await h.cloud.keys('results/stop-me/')).toEqual([]);
  });

  it('leaves the job running under deletionPolicy Retain', async () => {
    await whileTransformsRunLong(async () => {
      await h.create(PLURAL, 'TransformJob', 'keep-me', spec('keep-me', { deletionPolicy: 'Retain' }));
      await h.waitFor<TransformJobSpec, TransformJobStatus>(
        PLURAL,
        'keep-me',
        (o) => status(o) === 'InProgress',
      );
      await h.delete(PLURAL, 'keep-me');
      await h.waitFor(PLURAL, 'keep-me', (o) => o === undefined);
    });
    const name = jobName('keep-me');
    expect(await callsFor(name, 'StopTransformJob')).toBe(0);
    const described = await h.cloud.sagemaker.send(
      new DescribeTransformJobCommand({ TransformJobName: name }),
    );
    expect(described.TransformJobName).toBe(name);
  });

  it('adopts an existing untagged job when asked to, and leaves a foreign one alone otherwise', async () => {
    const byHand = (name: string) =>
      h.cloud.sagemaker.send(
        new CreateTransformJobCommand({
          ...{ TransformJobName: name, ModelName: 'batch-model' },
          TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: input } } },
          TransformOutput: { S3OutputPath: `s3://${h.cloud.bucket}/results/${name}` },
          TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
          Tags: [{ Key: 'owner', Value: 'someone-else' }],
        }),
      );
    const adopted = await byHand('tf-by-hand');
    const foreign = await byHand('tf-not-ours');
    await h.create(
      PLURAL,
      'TransformJob',
      'adopter',
      spec('adopter', { transformJobName: 'tf-by-hand', adoptExisting: true }),
    );
    await h.create(PLURAL, 'TransformJob', 'intruder', spec('intruder', { transformJobName: 'tf-not-ours' }));

    const job = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      PLURAL,
      'adopter',
      (o) => status(o) === 'Completed' && o?.status?.transformJobArn !== undefined,
    );
    expect(job?.status?.transformJobArn).toBe(adopted.TransformJobArn);
    const tags = await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: adopted.TransformJobArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([{ Key: 'mlops.dev/owner', Value: `TransformJob/${h.namespace}/adopter` }]),
    );
    expect(await callsFor('tf-by-hand', 'CreateTransformJob', 'ok')).toBe(1);

    const intruder = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      PLURAL,
      'intruder',
      (o) => condition(o, 'Synced')?.status === 'False',
    );
    expect(condition(intruder, 'Synced')).toMatchObject({ reason: 'AlreadyExists' });
    const foreignTags = await h.cloud.sagemaker.send(
      new ListTagsCommand({ ResourceArn: foreign.TransformJobArn }),
    );
    expect(foreignTags.Tags).toEqual([{ Key: 'owner', Value: 'someone-else' }]);
    await h.delete(PLURAL, 'intruder');
    await h.waitFor(PLURAL, 'intruder', (o) => o === undefined);
    expect(await callsFor('tf-not-ours', 'StopTransformJob')).toBe(0);
  });

  it('creates an inline model named by its content, owned by the job, and deletes it with the job', async () => {
    const inline: TransformJobSpec['model'] = {
      executionRoleArn: role,
      primaryContainer: { image: IMAGE, modelDataUrl: `s3://${h.cloud.bucket}/model/model.tar.gz` },
    };
    const { modelName: _named, ...rest } = spec('inline');
    await h.create(PLURAL, 'TransformJob', 'inline', { ...rest, model: inline });
    const job = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      PLURAL,
      'inline',
      (o) => status(o) === 'Completed',
    );
    const modelName = job?.status?.modelName ?? '';
    expect(modelName).toMatch(new RegExp(`^${jobName('inline')}-[0-9a-z]+$`));
    expect(job?.status?.createdModelNames).toEqual([modelName]);
    const model = await h.cloud.sagemaker.send(new DescribeModelCommand({ ModelName: modelName }));
    const tags = await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: model.ModelArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([{ Key: 'mlops.dev/owner', Value: `TransformJob/${h.namespace}/inline` }]),
    );

    await h.delete(PLURAL, 'inline');
    await h.waitFor(PLURAL, 'inline', (o) => o === undefined);
    expect(await callsFor(modelName, 'DeleteModel', 'ok')).toBe(1);
    await expect(h.cloud.sagemaker.send(new DescribeModelCommand({ ModelName: modelName }))).rejects.toThrow(
      /Could not find model/,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateProcessingJobCommand,
  DescribeProcessingJobCommand,
  ListTagsCommand,
} from '@aws-sdk/client-sagemaker';
import type { ProcessingJobSpec, ProcessingJobStatus } from '../../../src/crds/processing-job.js';
import { role } from '../../emulator/test-harness.js';
import { callsFor as jobCalls, withTimings } from '../support/jobs.js';
import { condition, eventsAbout, OperatorHarness, type KubeObjectOf } from '../support/operator.js';

type Job = KubeObjectOf<ProcessingJobSpec, ProcessingJobStatus>;
const PLURAL = 'processingjobs';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn-processing:1';
let h: OperatorHarness;
let raw: string;

beforeAll(async () => {
  h = await OperatorHarness.start('pj');
  await h.cloud.s3.send(new PutObjectCommand({ Bucket: h.cloud.bucket, Key: 'raw/data.csv', Body: '1,2\n' }));
  raw = `s3://${h.cloud.bucket}/raw`;
});
afterAll(async () => {
  await h.stop();
});

const jobName = (name: string): string => `${h.namespace}-${name}`;
const status = (obj: Job | undefined): string | undefined => obj?.status?.processingJobStatus;

function spec(name: string, overrides: Partial<ProcessingJobSpec> = {}): ProcessingJobSpec {
  return {
    roleArn: role,
    appSpecification: { imageUri: IMAGE, containerEntrypoint: ['python3', '/opt/ml/processing/code/run.py'] },
    processingResources: {
      clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
    },
    processingInputs: [
      {
        inputName: 'raw',
        s3Input: { s3Uri: raw, localPath: '/opt/ml/processing/input', s3DataType: 'S3Prefix' },
      },
    ],
    processingOutputConfig: {
      outputs: [
        {
          outputName: 'train',
          s3Output: {
            s3Uri: `s3://${h.cloud.bucket}/processed/${name}/train`,
            localPath: '/opt/ml/processing/train',
            s3UploadMode: 'EndOfJob',
          },
        },
      ],
    },
    stoppingCondition: { maxRuntimeInSeconds: 3600 },
    ...overrides,
  };
}

const callsFor = (resource: string, operation: string, outcome?: string) =>
  jobCalls(h, resource, operation, outcome);

/** Keeps processing jobs running long enough for a delete to reach one still InProgress. */
const whileProcessingRunsLong = (run: () => Promise<void>) =>
  withTimings(h, { processingRunning: 10_000_000 }, { processingRunning: 300 }, run);

describe('ProcessingJob', () => {
  it('runs to Completed, writes its outputs and mirrors their URIs, conditions and events', async () => {
    await h.create(PLURAL, 'ProcessingJob', 'happy', spec('happy'));
    const job = await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
      PLURAL,
      'happy',
      (o) => status(o) === 'Completed',
    );
    const name = jobName('happy');
    expect(job?.status).toMatchObject({
      processingJobName: name,
      processingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:processing-job/${name}`,
      outputs: [{ outputName: 'train', s3Uri: `s3://${h.cloud.bucket}/processed/happy/train` }],
    });
    expect(job?.status?.processingEndTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(condition(job, 'Ready')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(condition(job, 'Succeeded')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(await h.cloud.read('processed/happy/train/part-00000')).toBe(`raw ${raw}\n`);
    expect(await callsFor(name, 'CreateProcessingJob', 'ok')).toBe(1);
    // A running job is described only at the drift interval here: its completion was found by a sweep.
    expect((await h.cloud.emulator.control.calls({ operation: 'ListProcessingJobs' })).calls).not.toEqual([]);
    expect((await eventsAbout(h, 'happy')).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['Creating', 'Completed']),
    );
  });

  it("reports a failed job with SageMaker's reason and exit message, Stalled", async () => {
    const reason = 'AlgorithmError: See job logs for more information';
    await h.cloud.emulator.control.steer({
      kind: 'ProcessingJob',
      name: jobName('fails'),
      outcome: 'Failed',
      failureReason: reason,
    });
    await h.create(PLURAL, 'ProcessingJob', 'fails', spec('fails'));
    const job = await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
      PLURAL,
      'fails',
      (o) => status(o) === 'Failed',
    );
    expect(job?.status).toMatchObject({ failureReason: reason, exitMessage: reason });
    expect(condition(job, 'Succeeded')).toMatchObject({ status: 'False', reason: 'Failed', message: reason });
    expect(condition(job, 'Stalled')).toMatchObject({ status: 'True', reason: 'Failed' });
  });

  it('stops a running job on delete, then deletes it so the name can be reused', async () => {
    await whileProcessingRunsLong(async () => {
      await h.create(PLURAL, 'ProcessingJob', 'stop-me', spec('stop-me'));
      await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
        PLURAL,
        'stop-me',
        (o) => status(o) === 'InProgress',
      );
      await h.delete(PLURAL, 'stop-me');
      await h.waitFor(PLURAL, 'stop-me', (o) => o === undefined);
    });
    const name = jobName('stop-me');
    expect(await callsFor(name, 'StopProcessingJob')).toBe(1);
    expect(await callsFor(name, 'DeleteProcessingJob', 'ok')).toBe(1);
    await expect(
      h.cloud.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name })),
    ).rejects.toThrow(/Could not find requested job/);
  });

  it('leaves the job in SageMaker under deletionPolicy Retain', async () => {
    await whileProcessingRunsLong(async () => {
      await h.create(PLURAL, 'ProcessingJob', 'keep-me', spec('keep-me', { deletionPolicy: 'Retain' }));
      await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
        PLURAL,
        'keep-me',
        (o) => status(o) === 'InProgress',
      );
      await h.delete(PLURAL, 'keep-me');
      await h.waitFor(PLURAL, 'keep-me', (o) => o === undefined);
    });
    const name = jobName('keep-me');
    expect(await callsFor(name, 'StopProcessingJob')).toBe(0);
    const described = await h.cloud.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: name }),
    );
    expect(described.ProcessingJobStatus).toBe('InProgress');
  });

  it('adopts an existing untagged job when asked to', async () => {
    const created = await h.cloud.sagemaker.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: 'pj-by-hand',
        RoleArn: role,
        AppSpecification: { ImageUri: IMAGE },
        ProcessingResources: {
          ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 },
        },
      }),
    );
    await h.create(
      PLURAL,
      'ProcessingJob',
      'adopter',
      spec('adopter', { processingJobName: 'pj-by-hand', adoptExisting: true }),
    );
    const job = await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
      PLURAL,
      'adopter',
      (o) => status(o) === 'Completed' && o?.status?.processingJobArn !== undefined,
    );
    expect(job?.status?.processingJobArn).toBe(created.ProcessingJobArn);
    const tags = await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: created.ProcessingJobArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([{ Key: 'mlops.dev/owner', Value: `ProcessingJob/${h.namespace}/adopter` }]),
    );
    expect(await callsFor('pj-by-hand', 'CreateProcessingJob', 'ok')).toBe(1);
  });

  it("takes an input from another ProcessingJob's named output once that job has Completed", async () => {
    const evaluate = spec('evaluate', {
      processingInputs: [
        {
          inputName: 'features',
          s3Input: {
            s3UriFrom: { processingJobRef: { name: 'prepare', outputName: 'train' } },
            localPath: '/opt/ml/processing/input',
            s3DataType: 'S3Prefix',
          },
        },
      ],
    });
    await h.create(PLURAL, 'ProcessingJob', 'evaluate', evaluate);
    const waiting = await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
      PLURAL,
      'evaluate',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(condition(waiting, 'Ready')?.message).toBe(
      'waiting for ProcessingJob prepare (not found) to complete',
    );
    expect(await callsFor(jobName('evaluate'), 'CreateProcessingJob')).toBe(0);

    await h.create(PLURAL, 'ProcessingJob', 'prepare', spec('prepare'));
    const job = await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
      PLURAL,
      'evaluate',
      (o) => status(o) === 'Completed',
    );
    const described = await h.cloud.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: job?.status?.processingJobName }),
    );
    expect(described.ProcessingInputs?.[0]?.S3Input?.S3Uri).toBe(
      `s3://${h.cloud.bucket}/processed/prepare/train`,
    );
  });

  it('stalls, naming the upstream job, when the job it takes an input from failed', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'ProcessingJob',
      name: jobName('upstream-fails'),
      outcome: 'Failed',
    });
    await h.create(PLURAL, 'ProcessingJob', 'upstream-fails', spec('upstream-fails'));
    await h.create(
      PLURAL,
      'ProcessingJob',
      'downstream',
      spec('downstream', {
        processingInputs: [
          {
            inputName: 'features',
            s3Input: {
              s3UriFrom: { processingJobRef: { name: 'upstream-fails', outputName: 'train' } },
              localPath: '/opt/ml/processing/input',
              s3DataType: 'S3Prefix',
            },
          },
        ],
      }),
    );
    const job = await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
      PLURAL,
      'downstream',
      (o) => condition(o, 'Stalled')?.status === 'True',
    );
    expect(condition(job, 'Stalled')?.message).toBe(
      'ProcessingJob upstream-fails is Failed: it will produce no output train',
    );
    expect(condition(job, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(await callsFor(jobName('downstream'), 'CreateProcessingJob')).toBe(0);
  });
});

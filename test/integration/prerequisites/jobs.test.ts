import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { CreateTrainingJobRequest, CreateTransformJobRequest } from '@aws-sdk/client-sagemaker';
import type { ProcessingJobSpec } from '../../../src/crds/processing-job.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import type { TransformJobSpec, TransformJobStatus } from '../../../src/crds/transform-job.js';
import { metricValue } from '../../emulator/training.js';
import { role } from '../../emulator/test-harness.js';
import { callsFor, requestsTo } from '../support/jobs.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';
import { transformFromTraining } from '../transform-job/support.js';

/*
 * Jobs that read other jobs' outputs, wait for other objects, and are gated on results: what
 * reaches SageMaker, when, and what status says meanwhile.
 */

let h: OperatorHarness;
let raw: string;

beforeAll(async () => {
  h = await OperatorHarness.start('prereq-jobs');
  await h.cloud.s3.send(new PutObjectCommand({ Bucket: h.cloud.bucket, Key: 'raw/data.csv', Body: '1,2\n' }));
  raw = `s3://${h.cloud.bucket}/raw`;
});
afterAll(async () => {
  await h.stop();
});

const jobName = (name: string): string => `${h.namespace}-${name}`;
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn-processing:1';

/** A preprocessing job writing `train` and `test` outputs under processed/<name>/. */
function preprocess(name: string): ProcessingJobSpec {
  const output = (outputName: string) => ({
    outputName,
    s3Output: {
      s3Uri: `s3://${h.cloud.bucket}/processed/${name}/${outputName}`,
      localPath: `/opt/ml/processing/${outputName}`,
      s3UploadMode: 'EndOfJob' as const,
    },
  });
  return {
    roleArn: role,
    appSpecification: { imageUri: IMAGE },
    processingResources: {
      clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
    },
    processingInputs: [
      {
        inputName: 'raw',
        s3Input: { s3Uri: raw, localPath: '/opt/ml/processing/input', s3DataType: 'S3Prefix' },
      },
    ],
    processingOutputConfig: { outputs: [output('train'), output('test')] },
  };
}

/** A training job whose `train` channel is `from`'s train output. */
function trainOn(from: string, overrides: Partial<TrainingJobSpec> = {}): TrainingJobSpec {
  return trainingJobSpec(h, {
    inputDataConfig: [
      {
        channelName: 'train',
        dataSource: {
          s3DataSource: {
            s3DataType: 'S3Prefix',
            s3UriFrom: { processingJobRef: { name: from, outputName: 'train' } },
          },
        },
      },
    ],
    ...overrides,
  });
}

/** A transform of `from`'s test output by the model `trainingJob` trained. */
function scoreWith(trainingJob: string, from: string, name: string): TransformJobSpec {
  const spec = transformFromTraining(h, 's3://unused', name, trainingJob);
  return {
    ...spec,
    transformInput: {
      ...spec.transformInput,
      dataSource: {
        s3DataSource: {
          s3DataType: 'S3Prefix',
          s3UriFrom: { processingJobRef: { name: from, outputName: 'test' } },
        },
      },
    },
  };
}

describe('prerequisites of jobs', () => {
  it("trains on a ProcessingJob's output: waits for it, sends its URI, records what it read", async () => {
    await h.create('trainingjobs', 'TrainingJob', 'train-a', trainOn('prep-a'));
    const waiting = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'train-a',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(condition(waiting, 'Ready')?.message).toBe(
      'waiting for ProcessingJob prep-a (not found) to complete',
    );

    await h.create('processingjobs', 'ProcessingJob', 'prep-a', preprocess('prep-a'));
    const trained = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'train-a',
      (o) => o?.status?.trainingJobStatus === 'Completed',
    );
    const uri = `s3://${h.cloud.bucket}/processed/prep-a/train`;
    const [request] = await requestsTo<CreateTrainingJobRequest>(h, jobName('train-a'), 'CreateTrainingJob');
    expect(request?.InputDataConfig?.[0]?.DataSource?.S3DataSource).toEqual({
      S3DataType: 'S3Prefix',
      S3Uri: uri,
    });
    expect(trained?.status?.inputs).toEqual([
      { kind: 'ProcessingJob', name: 'prep-a', output: 'train', uri, jobName: jobName('prep-a') },
    ]);
  });

  it('scores after the model it needs is trained and the job it waits for has Succeeded, in that order', async () => {
    await h.create('processingjobs', 'ProcessingJob', 'prep-b', preprocess('prep-b'));
    await h.create('trainingjobs', 'TrainingJob', 'train-b', trainOn('prep-b'));
    await h.create('transformjobs', 'TransformJob', 'score-b', {
      ...scoreWith('train-b', 'prep-b', 'score-b'),
      dependsOn: [{ kind: 'TrainingJob', name: 'train-b' }],
    });
    await h.waitFor<TransformJobSpec, TransformJobStatus>(
      'transformjobs',
      'score-b',
      (o) => o?.status?.transformJobStatus === 'Completed',
    );
    const { calls } = await h.cloud.emulator.control.calls();
    const first = (operation: string, resource: string) =>
      calls.find((c) => c.operation === operation && c.resource === resource && c.outcome === 'ok');
    const training = await h.get<TrainingJobSpec, TrainingJobStatus>('trainingjobs', 'train-b');
    const created = first('CreateTransformJob', jobName('score-b'));
    // Created only once the training job had ended in SageMaker, not merely once it was created.
    expect(created?.time).toBeGreaterThanOrEqual(Date.parse(training?.status?.trainingEndTime ?? ''));
    const request = created?.request as CreateTransformJobRequest;
    expect(request.TransformInput?.DataSource?.S3DataSource?.S3Uri).toBe(
      `s3://${h.cloud.bucket}/processed/prep-b/test`,
    );
    const score = await h.get<TransformJobSpec, TransformJobStatus>('transformjobs', 'score-b');
    expect(score?.status?.inputs).toHaveLength(2);
    expect(score?.status?.inputs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'ProcessingJob', name: 'prep-b', output: 'test' }),
        expect.objectContaining({
          kind: 'TrainingJob',
          name: 'train-b',
          output: 'ModelArtifacts',
          jobName: jobName('train-b'),
        }),
      ]),
    );
  });

  it("holds back a job gated on a TrainingJob's final metric, says why once, and creates it when the bar changes", async () => {
    const metric = 'validation:rmse';
    await h.create(
      'trainingjobs',
      'TrainingJob',
      'train-c',
      trainOn('prep-b', {
        algorithmSpecification: {
          trainingImage: 'img:1',
          trainingInputMode: 'File',
          metricDefinitions: [{ name: metric, regex: 'rmse=(\\S+)' }],
        },
      }),
    );
    const value = metricValue(jobName('train-c'), metric);
    const bar = (lessThan: number) => [
      { jsonFrom: { trainingJobRef: { name: 'train-c' }, metricName: metric }, lessThan },
    ];
    await h.create('transformjobs', 'TransformJob', 'score-c', {
      ...scoreWith('train-c', 'prep-b', 'score-c'),
      when: bar(value),
    });
    const held = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      'transformjobs',
      'score-c',
      (o) => condition(o, 'Stalled')?.status === 'True',
    );
    const message = `${metric} is ${value}, not < ${value} (TrainingJob train-c, ${metric})`;
    expect(condition(held, 'Ready')).toMatchObject({ status: 'False', reason: 'GateNotMet', message });
    expect(held?.status?.gates).toEqual([
      {
        source: `TrainingJob train-c, ${metric}`,
        value: String(value),
        condition: `${value} < ${value}`,
        met: false,
        jobName: jobName('train-c'),
      },
    ]);
    expect(await callsFor(h, jobName('score-c'), 'CreateTransformJob')).toBe(0);
    const warnings = (await eventsAbout(h, 'score-c')).filter((e) => e.reason === 'GateNotMet');
    expect(warnings).toEqual([expect.objectContaining({ type: 'Warning', note: message, count: 1 })]);

    await h.patchSpec('transformjobs', 'score-c', { when: bar(value + 0.001) });
    const scored = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      'transformjobs',
      'score-c',
      (o) => o?.status?.transformJobStatus !== undefined,
    );
    expect(scored?.status?.gates?.[0]).toMatchObject({ met: true });
    expect(await callsFor(h, jobName('score-c'), 'CreateTransformJob', 'ok')).toBe(1);
  });

  it('stalls every job that waits on a failed one, naming it', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'ProcessingJob',
      name: jobName('prep-fails'),
      outcome: 'Failed',
    });
    await h.create('processingjobs', 'ProcessingJob', 'prep-fails', preprocess('prep-fails'));
    await h.create('trainingjobs', 'TrainingJob', 'train-d', trainOn('prep-fails'));
    await h.create('transformjobs', 'TransformJob', 'score-d', {
      ...scoreWith('train-a', 'prep-a', 'score-d'),
      dependsOn: [{ kind: 'ProcessingJob', name: 'prep-fails' }],
    });
    const train = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'train-d',
      (o) => condition(o, 'Stalled')?.status === 'True',
    );
    expect(condition(train, 'Ready')).toMatchObject({
      reason: 'InvalidSpec',
      message: 'ProcessingJob prep-fails is Failed: it will produce no output train',
    });
    const score = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      'transformjobs',
      'score-d',
      (o) => condition(o, 'Stalled')?.status === 'True',
    );
    expect(condition(score, 'Ready')?.message).toMatch(/^ProcessingJob prep-fails failed/);
    expect(await callsFor(h, jobName('train-d'), 'CreateTrainingJob')).toBe(0);
    expect(await callsFor(h, jobName('score-d'), 'CreateTransformJob')).toBe(0);
  });

  it.each([
    [
      'a channel with both s3Uri and s3UriFrom',
      () =>
        trainOn('prep-a', {
          inputDataConfig: [
            {
              channelName: 'train',
              dataSource: {
                s3DataSource: {
                  s3DataType: 'S3Prefix',
                  s3Uri: 's3://b/x',
                  s3UriFrom: { processingJobRef: { name: 'prep-a', outputName: 'train' } },
                },
              },
            },
          ],
        }),
      'set exactly one of s3Uri and s3UriFrom',
    ],
    [
      'an s3UriFrom naming two jobs',
      () =>
        trainOn('prep-a', {
          inputDataConfig: [
            {
              channelName: 'train',
              dataSource: {
                s3DataSource: {
                  s3DataType: 'S3Prefix',
                  s3UriFrom: {
                    processingJobRef: { name: 'a', outputName: 't' },
                    transformJobRef: { name: 'b' },
                  },
                },
              },
            },
          ],
        }),
      'set exactly one of trainingJobRef, processingJobRef, transformJobRef',
    ],
    [
      'a gate with two comparisons',
      () =>
        trainOn('prep-a', {
          when: [
            { jsonFrom: { trainingJobRef: { name: 't' }, metricName: 'm' }, lessThan: 1, greaterThan: 0 },
          ],
        }),
      'set exactly one of lessThan, lessThanOrEqualTo, greaterThan, greaterThanOrEqualTo, equalTo, in',
    ],
    [
      'a document gate without a path',
      () =>
        trainOn('prep-a', {
          when: [
            {
              jsonFrom: { processingJobRef: { name: 'e', outputName: 'o' }, key: 'evaluation.json' },
              in: [1],
            },
          ],
        }),
      'a document gate needs path',
    ],
    [
      'a dependency on a kind that is not one of ours',
      () => trainOn('prep-a', { dependsOn: [{ kind: 'Pod' as never, name: 'p' }] }),
      'spec.dependsOn[0].kind: Unsupported value',
    ],
  ])('refuses %s at apply time', async (_what, spec, message) => {
    await expect(h.create('trainingjobs', 'TrainingJob', 'refused', spec())).rejects.toThrow(message);
  });
});

import {
  CreateModelCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import type {
  Channel,
  CreateProcessingJobCommandInput,
  DescribeProcessingJobCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { harnessForFile, role, until } from './test-harness.js';

const h = harnessForFile({ resetEach: true });

const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/evaluate:1';
const cluster = {
  ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large' as const, VolumeSizeInGB: 20 },
};
const metrics = '{"regression_metrics":{"mse":{"value":5.2}}}';

const put = (key: string, body = 'x') =>
  h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: key, Body: body }));

/**
 * An evaluation step: reads `test` (under `input`), writes `evaluation` (EndOfJob) and `logs` (Continuous) under `{name}/`. */
const evaluationJob = (name: string, input = 'data/test'): CreateProcessingJobCommandInput => ({
  ProcessingJobName: name,
  RoleArn: role,
  AppSpecification: { ImageUri: image },
  ProcessingResources: cluster,
  ProcessingInputs: [
    {
      InputName: 'test',
      S3Input: {
        S3Uri: `s3://${h.bucket}/${input}`,
        LocalPath: '/opt/ml/processing/test',
        S3DataType: 'S3Prefix',
      },
    },
  ],
  ProcessingOutputConfig: {
    Outputs: [
      {
        OutputName: 'evaluation',
        S3Output: {
          S3Uri: `s3://${h.bucket}/${name}/evaluation`,
          LocalPath: '/opt/ml/processing/evaluation',
          S3UploadMode: 'EndOfJob',
        },
      },
      {
        OutputName: 'logs',
        S3Output: {
          S3Uri: `s3://${h.bucket}/${name}/logs/`,
          LocalPath: '/opt/ml/processing/logs',
          S3UploadMode: 'Continuous',
        },
      },
    ],
  },
});

async function runToEnd(input: CreateProcessingJobCommandInput): Promise<DescribeProcessingJobCommandOutput> {
  await h.sagemaker.send(new CreateProcessingJobCommand(input));
  return await until(
    () => h.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: input.ProcessingJobName })),
    (d) => d.ProcessingJobStatus !== 'InProgress',
  );
}

describe('processing job outputs', () => {
  it('a steered job writes the chosen documents under each declared output, beside part-00000', async () => {
    await put('data/test/test.csv');
    await h.emulator.control.steer({
      kind: 'ProcessingJob',
      name: 'evaluate',
      outcome: 'Completed',
      outputs: {
        evaluation: { 'evaluation.json': metrics },
        logs: { 'nested/run.log': 'done\n' },
        // The request declares no such output: ignored.
        missing: { 'ignored.json': '{}' },
      },
    });
    expect((await runToEnd(evaluationJob('evaluate'))).ProcessingJobStatus).toBe('Completed');

    expect(await h.keys('evaluate/')).toEqual([
      'evaluate/evaluation/evaluation.json',
      'evaluate/evaluation/part-00000',
      'evaluate/logs/nested/run.log',
      'evaluate/logs/part-00000',
    ]);
    expect(await h.read('evaluate/evaluation/evaluation.json')).toBe(metrics);
    const evaluation = JSON.parse(await h.read('evaluate/evaluation/evaluation.json')) as {
      regression_metrics: { mse: { value: number } };
    };
    expect(evaluation.regression_metrics.mse.value).toBe(5.2);
    expect(await h.read('evaluate/logs/nested/run.log')).toBe('done\n');
    expect(await h.read('evaluate/evaluation/part-00000')).toBe(`test s3://${h.bucket}/data/test\n`);
    expect(await h.keys('ignored')).toEqual([]);
  });

  it('the steer is matched by name, ignoring case, and read when the job is created', async () => {
    await put('data/test/test.csv');
    await h.emulator.control.steer({
      kind: 'ProcessingJob',
      name: 'Evaluate-Case',
      outcome: 'Completed',
      outputs: { evaluation: { 'evaluation.json': metrics } },
    });
    await runToEnd(evaluationJob('evaluate-case'));
    expect(await h.read('evaluate-case/evaluation/evaluation.json')).toBe(metrics);

    // Created before the steer: it writes what an unsteered job writes.
    await h.sagemaker.send(new CreateProcessingJobCommand(evaluationJob('early')));
    await h.emulator.control.steer({
      kind: 'ProcessingJob',
      name: 'early',
      outcome: 'Completed',
      outputs: { evaluation: { 'evaluation.json': metrics } },
    });
    await until(
      () => h.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: 'early' })),
      (d) => d.ProcessingJobStatus === 'Completed',
    );
    expect(await h.keys('early/')).toEqual(['early/evaluation/part-00000', 'early/logs/part-00000']);
  });

  it('an unsteered job writes only part-00000 under each output', async () => {
    await put('data/test/test.csv');
    expect((await runToEnd(evaluationJob('plain'))).ProcessingJobStatus).toBe('Completed');
    expect(await h.keys('plain/')).toEqual(['plain/evaluation/part-00000', 'plain/logs/part-00000']);
  });

  it('a job steered to fail writes nothing, its outputs included', async () => {
    await put('data/test/test.csv');
    await h.emulator.control.steer({
      kind: 'ProcessingJob',
      name: 'broken',
      outcome: 'Failed',
      failureReason: 'AlgorithmError: evaluation crashed',
      outputs: { evaluation: { 'evaluation.json': metrics } },
    });
    expect(await runToEnd(evaluationJob('broken'))).toMatchObject({
      ProcessingJobStatus: 'Failed',
      FailureReason: 'AlgorithmError: evaluation crashed',
    });
    expect(await h.keys('broken/')).toEqual([]);
  });

  it('a job whose input is missing fails with S3 checks on and writes nothing, steered or not', async () => {
    await h.emulator.control.configure({ s3Checks: { inputsExist: true } });
    await h.emulator.control.steer({
      kind: 'ProcessingJob',
      name: 'no-input',
      outcome: 'Completed',
      outputs: { evaluation: { 'evaluation.json': metrics } },
    });
    // The bucket lives as long as the file's harness: this prefix is never written.
    expect(await runToEnd(evaluationJob('no-input', 'data/none'))).toMatchObject({
      ProcessingJobStatus: 'Failed',
      FailureReason: `ClientError: No objects found under S3 URL "s3://${h.bucket}/data/none" given in the processing job's inputs.`,
    });
    expect(await h.keys('no-input/')).toEqual([]);
  });

  it('refuses a steer whose document is not a string', async () => {
    await expect(
      h.emulator.control.steer({
        kind: 'ProcessingJob',
        name: 'bad',
        outcome: 'Completed',
        outputs: { evaluation: { 'evaluation.json': { mse: 5.2 } as unknown as string } },
      }),
    ).rejects.toThrow('outputs.evaluation.evaluation.json: expected a string');
  });
});

describe('missing inputs of training and transform jobs (s3Checks.inputsExist)', () => {
  const trainingJob = async (name: string, channels: Channel[]) => {
    await h.sagemaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: name,
        RoleArn: role,
        AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' },
        OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/output` },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
        StoppingCondition: { MaxRuntimeInSeconds: 86400 },
        InputDataConfig: channels,
      }),
    );
    return await until(
      () => h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name })),
      (d) => d.TrainingJobStatus !== 'InProgress',
    );
  };
  const channel = (name: string, type: 'S3Prefix' | 'ManifestFile' | 'Converse', key: string): Channel => ({
    ChannelName: name,
    DataSource: { S3DataSource: { S3DataType: type, S3Uri: `s3://${h.bucket}/${key}` } },
  });
  const noObjects = (key: string) =>
    expect.stringContaining(`ClientError: No S3 objects found under S3 URL "s3://${h.bucket}/${key}"`);

  it('fail a training job on any empty channel, a missing manifest included', async () => {
    await h.emulator.control.configure({ s3Checks: { inputsExist: true } });
    await put('train/a.csv');
    await put('manifests/train.manifest', `[{"prefix": "s3://${h.bucket}/train/"}, "a.csv"]`);
    await put('converse/part-1.jsonl', '{}');

    expect(
      await trainingJob('second-empty', [
        channel('train', 'S3Prefix', 'train'),
        channel('test', 'S3Prefix', 'test'),
      ]),
    ).toMatchObject({ TrainingJobStatus: 'Failed', FailureReason: noObjects('test') });
    expect(
      await trainingJob('manifest-missing', [
        channel('train', 'S3Prefix', 'train'),
        channel('test', 'ManifestFile', 'manifests/test.manifest'),
      ]),
    ).toMatchObject({ TrainingJobStatus: 'Failed', FailureReason: noObjects('manifests/test.manifest') });
    // A Converse location is a prefix, as S3Prefix is.
    expect(
      await trainingJob('present', [
        channel('train', 'ManifestFile', 'manifests/train.manifest'),
        channel('chat', 'Converse', 'converse/'),
      ]),
    ).toMatchObject({ TrainingJobStatus: 'Completed' });
  });

  it('fail a transform job whose input prefix is empty, and write nothing', async () => {
    await h.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'tm',
        PrimaryContainer: { Image: image, ModelDataUrl: `s3://${h.bucket}/m.tar.gz` },
      }),
    );
    await h.emulator.control.configure({ s3Checks: { inputsExist: true } });
    await h.sagemaker.send(
      new CreateTransformJobCommand({
        TransformJobName: 'no-batch',
        ModelName: 'tm',
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${h.bucket}/batch/in` } },
        },
        TransformOutput: { S3OutputPath: `s3://${h.bucket}/batch/out` },
        TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      }),
    );
    expect(
      await until(
        () => h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'no-batch' })),
        (d) => d.TransformJobStatus !== 'InProgress',
      ),
    ).toMatchObject({
      TransformJobStatus: 'Failed',
      FailureReason: `ClientError: No S3 objects found under S3 URL "s3://${h.bucket}/batch/in" given in input data source.`,
    });
    expect(await h.keys('batch/out')).toEqual([]);
  });
});

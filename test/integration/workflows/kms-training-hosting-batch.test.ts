import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  type CreateEndpointConfigInput,
  type CreateEndpointInput,
  type CreateModelInput,
  type CreateTrainingJobRequest,
  type CreateTransformJobRequest,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import type { TransformJobSpec, TransformJobStatus } from '../../../src/crds/transform-job.js';
import { requestsTo } from '../support/jobs.js';
import { kubectl } from '../support/kubectl.js';
import { OperatorHarness } from '../support/operator.js';

/*
 * examples/workflows/kms-training-hosting-batch/ applied as a user would: the data uploaded
 * encrypted with the key, one `kubectl apply -f` of the folder, `kubectl wait` on the endpoint, one
 * prediction from it, `kubectl wait` on the batch transform, the predictions read back; then what
 * reached SageMaker, create by create.
 */

const FOLDER = 'examples/workflows/kms-training-hosting-batch/';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const BUCKET = 'my-sagemaker-bucket';
const PREFIX = 'sagemaker/DEMO-kms';

/** The user's data, label first and no header; the test set without labels goes to batch transform. */
const DATA = {
  train: ['24.0,0.00632,18.0,2.31', '21.6,0.02731,0.0,7.07', '34.7,0.02729,0.0,7.07'],
  validation: ['33.4,0.03237,0.0,2.18', '36.2,0.06905,0.0,2.18'],
  test: ['28.7,0.02985,0.0,2.18', '22.9,0.08829,12.5,7.87', '27.1,0.14455,12.5,7.87'],
};
const withoutLabel = (line: string): string => line.split(',').slice(1).join(',');

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('wf-kms');
  await h.cloud.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  // Training fails on an empty channel and a transform on an empty input, as in SageMaker.
  await h.cloud.emulator.control.configure({ s3Checks: { inputsExist: true } });
});
afterAll(async () => {
  await h.stop();
});

const sagemakerName = (name: string): string => `${h.namespace}-${name}`;

/** Uploads with server-side encryption under the key, as the original workflow does. */
async function upload(key: string, lines: string[]): Promise<void> {
  await h.cloud.s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: `${PREFIX}/${key}`,
      Body: `${lines.join('\n')}\n`,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY.split(':key/')[1],
    }),
  );
}

describe('KMS-encrypted training, hosting and batch transform', () => {
  it('trains, hosts the trained model and runs the batch transform after it, every volume and output under the key', async () => {
    await upload('train/train.csv', DATA.train);
    await upload('validation/val.csv', DATA.validation);
    await upload('test/test_no_labels.csv', DATA.test.map(withoutLabel));

    await kubectl(h.namespace, ['apply', '-f', FOLDER]);
    await kubectl(h.namespace, ['wait', 'smep/xgboost-kms', '--for=condition=Ready', '--timeout=120s']);

    const trained = await h.get<TrainingJobSpec, TrainingJobStatus>('trainingjobs', 'xgboost-kms');
    const artifacts = trained?.status?.modelArtifacts?.s3ModelArtifacts;
    expect(artifacts).toBe(
      `s3://${BUCKET}/${PREFIX}/output/${sagemakerName('xgboost-kms')}/output/model.tar.gz`,
    );

    // Validate the model for use: one prediction on the first test line, without its label.
    const endpoint = await h.get<EndpointSpec, EndpointStatus>('endpoints', 'xgboost-kms');
    const endpointName = endpoint?.status?.endpointName ?? '';
    const answer = await h.cloud.runtime.send(
      new InvokeEndpointCommand({
        EndpointName: endpointName,
        ContentType: 'text/csv',
        Body: Buffer.from(withoutLabel(DATA.test[0]!)),
      }),
    );
    const prediction = JSON.parse(Buffer.from(answer.Body).toString()) as {
      prediction: number;
      modelData: string;
    };
    expect(prediction.modelData).toBe(artifacts);
    expect(typeof prediction.prediction).toBe('number');

    await kubectl(h.namespace, [
      'wait',
      'smtf/xgboost-kms-batch',
      'smtj/xgboost-kms',
      '--for=condition=Succeeded',
      '--timeout=120s',
    ]);
    const predictions = await h.cloud.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/predict/test_no_labels.csv.out` }),
    );
    expect((await predictions.Body!.transformToString()).split('\n')).toHaveLength(DATA.test.length);

    // Training: the data the user uploaded, the volume and the model artifacts under the key.
    const [training] = await requestsTo<CreateTrainingJobRequest>(
      h,
      sagemakerName('xgboost-kms'),
      'CreateTrainingJob',
    );
    expect(training?.AlgorithmSpecification?.TrainingImage).toBe(IMAGE);
    expect(training?.InputDataConfig?.map((c) => [c.ChannelName, c.DataSource?.S3DataSource?.S3Uri])).toEqual(
      [
        ['train', `s3://${BUCKET}/${PREFIX}/train`],
        ['validation', `s3://${BUCKET}/${PREFIX}/validation`],
      ],
    );
    expect(training?.ResourceConfig?.VolumeKmsKeyId).toBe(KEY);
    expect(training?.OutputDataConfig?.KmsKeyId).toBe(KEY);

    // Hosting: the trained artifacts with the image that trained them, behind a config under the key.
    const [servedModel] = endpoint?.status?.modelNames ?? [];
    const [hostedModel] = await requestsTo<CreateModelInput>(h, servedModel ?? '', 'CreateModel');
    expect(hostedModel?.PrimaryContainer).toMatchObject({ Image: IMAGE, ModelDataUrl: artifacts });
    const configName = endpoint?.status?.endpointConfigName ?? '';
    const [config] = await requestsTo<CreateEndpointConfigInput>(h, configName, 'CreateEndpointConfig');
    expect(config?.KmsKeyId).toBe(KEY);
    expect(config?.ProductionVariants?.map((v) => [v.VariantName, v.ModelName])).toEqual([
      ['AllTraffic', servedModel],
    ]);
    const [created] = await requestsTo<CreateEndpointInput>(h, endpointName, 'CreateEndpoint');
    expect(created?.EndpointConfigName).toBe(configName);

    // Batch transform: the same artifacts and image, the volume and the predictions under the key.
    const transform = await h.get<TransformJobSpec, TransformJobStatus>('transformjobs', 'xgboost-kms-batch');
    const [transformModel] = await requestsTo<CreateModelInput>(
      h,
      transform?.status?.modelName ?? '',
      'CreateModel',
    );
    expect(transformModel?.PrimaryContainer).toMatchObject({ Image: IMAGE, ModelDataUrl: artifacts });
    const [batch] = await requestsTo<CreateTransformJobRequest>(
      h,
      sagemakerName('xgboost-kms-batch'),
      'CreateTransformJob',
    );
    expect(batch?.ModelName).toBe(transform?.status?.modelName);
    expect(batch?.TransformInput?.DataSource?.S3DataSource?.S3Uri).toBe(`s3://${BUCKET}/${PREFIX}/test`);
    expect(batch?.TransformResources?.VolumeKmsKeyId).toBe(KEY);
    expect(batch?.TransformOutput?.KmsKeyId).toBe(KEY);

    // In the original's order: the transform is created once the endpoint is InService.
    const { calls } = await h.cloud.emulator.control.calls();
    const ok = calls.filter((c) => c.outcome === 'ok' && c.operation.startsWith('Create'));
    expect(ok.map((c) => [c.operation, c.resource]).sort()).toEqual(
      [
        ['CreateTrainingJob', sagemakerName('xgboost-kms')],
        ['CreateModel', servedModel],
        ['CreateEndpointConfig', configName],
        ['CreateEndpoint', endpointName],
        ['CreateModel', transform?.status?.modelName],
        ['CreateTransformJob', sagemakerName('xgboost-kms-batch')],
      ].sort(),
    );
    const described = await h.cloud.sagemaker.send(
      new DescribeEndpointCommand({ EndpointName: endpointName }),
    );
    const inService = described.LastModifiedTime!.getTime();
    const transformCreated = ok.find((c) => c.operation === 'CreateTransformJob')!.time;
    expect(transformCreated).toBeGreaterThanOrEqual(inService);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type {
  CreateEndpointConfigInput,
  CreateEndpointInput,
  CreateModelInput,
  CreateTrainingJobRequest,
  CreateTransformJobRequest,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import type { TransformJobSpec, TransformJobStatus } from '../../../src/crds/transform-job.js';
import { requestsTo, withTimings } from '../support/jobs.js';
import { kubectl } from '../support/kubectl.js';
import { condition, OperatorHarness, PHASE_SECONDS } from '../support/operator.js';

/*
 * examples/workflows/train-transform-deploy/ applied as a user would: the data uploaded, one
 * `kubectl apply -f` of the folder, `kubectl wait` on the transform and the endpoint; then what
 * reached SageMaker, create by create, and in which order.
 */

const FOLDER = 'examples/workflows/train-transform-deploy/';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const BUCKET = 'my-sagemaker-bucket';
const PREFIX = 'sagemaker/DEMO-xgboost-regression';

/** Abalone records in libsvm form: the age (rings) first, then the eight measurements. */
const record = (rings: number, i: number): string =>
  `${rings} 1:${i % 3} 2:0.455 3:0.365 4:0.095 5:0.514 6:0.2245 7:0.101 8:0.15`;
const DATA = {
  train: [15, 7, 9, 10, 7, 8, 20].map(record),
  validation: [16, 9].map(record),
  test: [19, 14, 10].map(record),
};

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('wf-ttd');
  await h.cloud.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  // Training fails on an empty channel and a transform on an empty input, as in SageMaker.
  await h.cloud.emulator.control.configure({ s3Checks: { inputsExist: true } });
});
afterAll(async () => {
  await h.stop();
});

const sagemakerName = (name: string): string => `${h.namespace}-${name}`;

async function upload(key: string, lines: string[]): Promise<void> {
  await h.cloud.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${key}`, Body: `${lines.join('\n')}\n` }),
  );
}

type Conditioned = {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
};
const readyMessage = (message: string) => (o: Conditioned | undefined) =>
  condition(o, 'Ready')?.reason === 'WaitingForReference' && condition(o, 'Ready')?.message === message;

describe('the train -> transform -> deploy workflow', () => {
  it('trains, scores the test data with the model, then deploys it, each step waiting for the one before', async () => {
    await upload('train/abalone.train', DATA.train);
    await upload('validation/abalone.validation', DATA.validation);
    await upload('test/abalone.test', DATA.test);

    // Training lasts a few seconds, so both downstream steps are seen waiting for it.
    await withTimings(h, { trainingTraining: 3_000 }, { trainingTraining: PHASE_SECONDS }, async () => {
      await kubectl(h.namespace, ['apply', '-f', FOLDER]);
      await h.waitFor(
        'transformjobs',
        'abalone',
        readyMessage('waiting for TrainingJob abalone (InProgress) to complete'),
      );
      await h.waitFor(
        'endpoints',
        'abalone',
        readyMessage('waiting for TransformJob abalone to be Succeeded (WaitingForReference)'),
      );
    });
    expect((await h.cloud.emulator.control.calls({ operation: 'CreateModel' })).calls).toEqual([]);

    await kubectl(h.namespace, [
      'wait',
      'smtj/abalone',
      'smtf/abalone',
      '--for=condition=Succeeded',
      '--timeout=120s',
    ]);
    await kubectl(h.namespace, ['wait', 'smep/abalone', '--for=condition=Ready', '--timeout=120s']);

    const trained = await h.get<TrainingJobSpec, TrainingJobStatus>('trainingjobs', 'abalone');
    const artifacts = trained?.status?.modelArtifacts?.s3ModelArtifacts;
    expect(artifacts).toBe(
      `s3://${BUCKET}/${PREFIX}/single-xgboost/${sagemakerName('abalone')}/output/model.tar.gz`,
    );

    // 1. Train Step: the uploaded channels as libsvm.
    const [training] = await requestsTo<CreateTrainingJobRequest>(
      h,
      sagemakerName('abalone'),
      'CreateTrainingJob',
    );
    expect(training?.AlgorithmSpecification?.TrainingImage).toBe(IMAGE);
    expect(
      training?.InputDataConfig?.map((c) => [
        c.ChannelName,
        c.ContentType,
        c.DataSource?.S3DataSource?.S3Uri,
      ]),
    ).toEqual([
      ['train', 'libsvm', `s3://${BUCKET}/${PREFIX}/train`],
      ['validation', 'libsvm', `s3://${BUCKET}/${PREFIX}/validation`],
    ]);

    // 2 and 3. Save model, Transform Input Dataset: the trained artifacts with the image that trained them.
    const transform = await h.get<TransformJobSpec, TransformJobStatus>('transformjobs', 'abalone');
    const transformModelName = transform?.status?.modelName ?? '';
    const [transformModel] = await requestsTo<CreateModelInput>(h, transformModelName, 'CreateModel');
    expect(transformModel?.PrimaryContainer).toMatchObject({ Image: IMAGE, ModelDataUrl: artifacts });
    const [batch] = await requestsTo<CreateTransformJobRequest>(
      h,
      sagemakerName('abalone'),
      'CreateTransformJob',
    );
    expect(batch).toMatchObject({
      ModelName: transformModelName,
      TransformInput: {
        ContentType: 'text/libsvm',
        DataSource: { S3DataSource: { S3Uri: `s3://${BUCKET}/${PREFIX}/test` } },
      },
      TransformOutput: { S3OutputPath: `s3://${BUCKET}/${PREFIX}/predictions` },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    });
    const predictions = await h.cloud.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/predictions/abalone.test.out` }),
    );
    expect(await predictions.Body!.transformToString()).not.toBe('');

    // 4 and 5. Create Endpoint Config, Create Endpoint: the same artifacts, served and invoked.
    const endpoint = await h.get<EndpointSpec, EndpointStatus>('endpoints', 'abalone');
    const endpointName = endpoint?.status?.endpointName ?? '';
    const [servedModel] = endpoint?.status?.modelNames ?? [];
    const [hostedModel] = await requestsTo<CreateModelInput>(h, servedModel ?? '', 'CreateModel');
    expect(hostedModel?.PrimaryContainer).toMatchObject({ Image: IMAGE, ModelDataUrl: artifacts });
    const configName = endpoint?.status?.endpointConfigName ?? '';
    const [config] = await requestsTo<CreateEndpointConfigInput>(h, configName, 'CreateEndpointConfig');
    expect(config?.ProductionVariants).toEqual([
      expect.objectContaining({
        VariantName: 'AllTraffic',
        ModelName: servedModel,
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: 1,
      }),
    ]);
    const [created] = await requestsTo<CreateEndpointInput>(h, endpointName, 'CreateEndpoint');
    expect(created?.EndpointConfigName).toBe(configName);
    const answer = await h.cloud.runtime.send(
      new InvokeEndpointCommand({
        EndpointName: endpointName,
        ContentType: 'text/libsvm',
        Body: Buffer.from(DATA.test[0]!.replace(/^\S+ /, '')),
      }),
    );
    expect(JSON.parse(Buffer.from(answer.Body).toString())).toMatchObject({ modelData: artifacts });

    // Every create of the workflow, and the endpoint's only after the batch transform succeeded.
    const { calls } = await h.cloud.emulator.control.calls();
    const creates = calls.filter((c) => c.outcome === 'ok' && c.operation.startsWith('Create'));
    expect(creates.map((c) => [c.operation, c.resource]).sort()).toEqual(
      [
        ['CreateTrainingJob', sagemakerName('abalone')],
        ['CreateModel', transformModelName],
        ['CreateTransformJob', sagemakerName('abalone')],
        ['CreateModel', servedModel],
        ['CreateEndpointConfig', configName],
        ['CreateEndpoint', endpointName],
      ].sort(),
    );
    const transformEnded = Date.parse(transform?.status?.transformEndTime ?? '');
    const hosting = [
      `CreateModel ${servedModel}`,
      `CreateEndpointConfig ${configName}`,
      `CreateEndpoint ${endpointName}`,
    ];
    const endpointCreates = creates.filter((c) => hosting.includes(`${c.operation} ${c.resource}`));
    expect(endpointCreates).toHaveLength(3);
    for (const call of endpointCreates) expect(call.time).toBeGreaterThanOrEqual(transformEnded);
  });
});

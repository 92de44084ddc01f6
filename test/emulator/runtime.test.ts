import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { failure, harnessForFile, role, until } from './test-harness.js';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';

const h = harnessForFile({ resetEach: false });

interface Prediction {
  prediction: number;
  model: string;
  variant: string;
  modelData: string;
  targetModel?: string;
}

async function deploy(name: string, container: object, extra: object = {}): Promise<void> {
  await h.sagemaker.send(
    new CreateModelCommand({ ModelName: name, ExecutionRoleArn: role, PrimaryContainer: container }),
  );
  await h.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
      ...extra,
    }),
  );
  await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  await until(
    () => h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name })),
    (d) => d.EndpointStatus === 'InService',
  );
}

async function invoke(
  endpoint: string,
  body: string,
  extra: { TargetModel?: string; InferenceId?: string } = {},
) {
  const response = await h.runtime.send(
    new InvokeEndpointCommand({
      EndpointName: endpoint,
      Body: Buffer.from(body),
      ContentType: 'text/csv',
      ...extra,
    }),
  );
  return {
    ...(JSON.parse(Buffer.from(response.Body).toString()) as Prediction),
    variantHeader: response.InvokedProductionVariant,
  };
}

describe('InvokeEndpoint', () => {
  it('answers a deterministic prediction that depends on the model and the input', async () => {
    await deploy('single', { Image: 'xgb:1', ModelDataUrl: `s3://${h.bucket}/single/model.tar.gz` });
    const a = await invoke('single', '1,2,3');
    const again = await invoke('single', '1,2,3');
    const other = await invoke('single', '4,5,6');
    expect(a).toMatchObject({ model: 'single', variant: 'AllTraffic', variantHeader: 'AllTraffic' });
    expect(a.prediction).toBe(again.prediction);
    expect(a.prediction).not.toBe(other.prediction);
    expect(await failure(invoke('missing', '1'))).toMatchObject({
      name: 'ValidationError',
      message: 'Endpoint missing of account 123456789012 not found.',
      status: 400,
    });
    expect(await failure(invoke('single', '1', { TargetModel: 'a.tar.gz' }))).toMatchObject({
      name: 'ValidationError',
    });
  });

  it('routes multi-model calls to the target model and fails when its object is missing', async () => {
    const prefix = `s3://${h.bucket}/mme/`;
    await deploy('multi', { Image: 'xgb:1', Mode: 'MultiModel', ModelDataUrl: prefix });
    for (const key of ['mme/model-a.tar.gz', 'mme/model-b.tar.gz']) {
      await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: key, Body: 'weights' }));
    }
    const a = await invoke('multi', '1,2', { TargetModel: 'model-a.tar.gz' });
    const b = await invoke('multi', '1,2', { TargetModel: 'model-b.tar.gz' });
    expect(a).toMatchObject({ targetModel: 'model-a.tar.gz', modelData: `${prefix}model-a.tar.gz` });
    expect(b.targetModel).toBe('model-b.tar.gz');
    expect(a.prediction).not.toBe(b.prediction);
    expect(await failure(invoke('multi', '1,2', { TargetModel: 'model-c.tar.gz' }))).toEqual({
      name: 'ValidationError',
      status: 400,
      message: `Failed to download model data(bucket: ${h.bucket}, key: mme/model-c.tar.gz). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model.`,
    });
  });

  it('captures invocations as jsonl under {destination}/{endpoint}/{variant}/yyyy/mm/dd/hh/', async () => {
    await deploy(
      'captured',
      { Image: 'xgb:1', ModelDataUrl: `s3://${h.bucket}/captured/model.tar.gz` },
      {
        DataCaptureConfig: {
          InitialSamplingPercentage: 100,
          DestinationS3Uri: `s3://${h.bucket}/capture`,
          CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        },
      },
    );
    const result = await invoke('captured', '7,8,9', { InferenceId: 'req-1' });
    const keys = await h.keys('capture/captured/AllTraffic/');
    expect(keys).toHaveLength(1);
    const now = new Date();
    const hour = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
    expect(keys[0]).toMatch(
      new RegExp(`^capture/captured/AllTraffic/${hour}/\\d{2}/\\d{2}-\\d{2}-\\d{3}-[0-9a-f-]{36}\\.jsonl$`),
    );
    const record = JSON.parse((await h.read(keys[0]!)).trim()) as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    expect(record.captureData!.endpointInput).toEqual({
      observedContentType: 'text/csv',
      mode: 'INPUT',
      data: '7,8,9',
      encoding: 'CSV',
    });
    expect(record.captureData!.endpointOutput).toMatchObject({
      mode: 'OUTPUT',
      encoding: 'JSON',
      observedContentType: 'application/json',
    });
    expect(JSON.parse(record.captureData!.endpointOutput!.data as string)).toMatchObject({
      prediction: result.prediction,
    });
    expect(record.eventMetadata).toMatchObject({ inferenceId: 'req-1' });
    expect(record.eventVersion).toBe('0');
  });
});

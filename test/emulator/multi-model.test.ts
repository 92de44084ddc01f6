import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { assumeRoleWithPolicy } from '../integration/support/iam.js';
import { arn, failure, harnessForFile, role, until } from './test-harness.js';

const h = harnessForFile({ resetEach: false });

const PREFIX = 'cities/';

async function deployMultiModel(name: string): Promise<void> {
  await h.sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: role,
      PrimaryContainer: {
        Image: 'linear-learner:1',
        Mode: 'MultiModel',
        ModelDataUrl: `s3://${h.bucket}/${PREFIX}`,
      },
    }),
  );
  await h.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
    }),
  );
  await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  await until(
    () => h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name })),
    (d) => d.EndpointStatus === 'InService',
  );
}

const put = (key: string) =>
  h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: `${PREFIX}${key}`, Body: `weights of ${key}` }));

async function invoke(
  endpoint: string,
  targetModel: string,
  runtime = h.runtime,
): Promise<{ modelData: string }> {
  const response = await runtime.send(
    new InvokeEndpointCommand({
      EndpointName: endpoint,
      TargetModel: targetModel,
      Body: Buffer.from('1,2'),
      ContentType: 'text/csv',
    }),
  );
  return JSON.parse(Buffer.from(response.Body).toString()) as { modelData: string };
}

describe('multi-model endpoints', () => {
  it('cold-starts a model that loads longer than 60 s: ModelNotReadyException, then served once loaded', async () => {
    await deployMultiModel('cold');
    await put('Chicago_IL/v1.tar.gz');
    await h.emulator.control.configure({ timings: { multiModelLoading: 300 } });
    // The SDK retries 429 like throttling; the first try waits 60 SageMaker seconds and is refused.
    const noRetries = new SageMakerRuntimeClient({
      endpoint: h.emulator.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    expect(await failure(invoke('cold', 'Chicago_IL/v1.tar.gz', noRetries))).toMatchObject({
      name: 'ModelNotReadyException',
      status: 429,
    });
    // Loading goes on: retried, the call is answered once the model is loaded (within 360 s).
    let answer: { modelData: string } | undefined;
    while (answer === undefined) {
      answer = await invoke('cold', 'Chicago_IL/v1.tar.gz', noRetries).catch((err: unknown) => {
        if ((err as { name?: string }).name !== 'ModelNotReadyException') throw err;
        return undefined;
      });
    }
    expect(answer.modelData).toBe(`s3://${h.bucket}/${PREFIX}Chicago_IL/v1.tar.gz`);
    // A loaded model is served from memory, even once its artifact has left S3.
    await h.s3.send(new DeleteObjectCommand({ Bucket: h.bucket, Key: `${PREFIX}Chicago_IL/v1.tar.gz` }));
    expect((await invoke('cold', 'Chicago_IL/v1.tar.gz', noRetries)).modelData).toContain('Chicago_IL/v1');
    noRetries.destroy();
    await h.emulator.control.configure({ timings: { multiModelLoading: 20 } });
  });

  it('allows a caller only the target models its sagemaker:TargetModel condition matches', async () => {
    await deployMultiModel('guarded');
    await put('NewYork_NY/v1.tar.gz');
    await put('Houston_TX/v1.tar.gz');
    const session = await assumeRoleWithPolicy('invoke-new-york', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sagemaker:InvokeEndpoint',
          Resource: arn('endpoint', 'guarded'),
          Condition: { StringLike: { 'sagemaker:TargetModel': ['NewYork_NY/*'] } },
        },
      ],
    });
    const newYork = new SageMakerRuntimeClient({
      endpoint: h.emulator.endpoint,
      region: 'us-east-1',
      credentials: session.credentials,
    });
    const since = (await h.emulator.control.calls()).calls.at(-1)?.seq ?? 0;
    expect((await invoke('guarded', 'NewYork_NY/v1.tar.gz', newYork)).modelData).toContain('NewYork_NY/v1');
    expect(await failure(invoke('guarded', 'Houston_TX/v1.tar.gz', newYork))).toMatchObject({
      name: 'AccessDeniedException',
      status: 403,
      message: `User: ${session.arn} is not authorized to perform: sagemaker:InvokeEndpoint on resource: ${arn('endpoint', 'guarded')} because no identity-based policy allows the sagemaker:InvokeEndpoint action`,
    });
    // The call log names the role session that made each call.
    expect(
      (await h.emulator.control.calls({ since, operation: 'InvokeEndpoint' })).calls.map((c) => [
        c.principal,
        c.outcome,
      ]),
    ).toEqual([
      [session.arn, 'ok'],
      [session.arn, 'AccessDeniedException'],
    ]);
    // Callers without a policy are not restricted.
    expect((await invoke('guarded', 'Houston_TX/v1.tar.gz')).modelData).toContain('Houston_TX/v1');
    newYork.destroy();
  });
});

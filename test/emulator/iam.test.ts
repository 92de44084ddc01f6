import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  type CreateEndpointConfigCommandInput,
  type CreateModelCommandInput,
  type CreateProcessingJobCommandInput,
  type CreateTrainingJobCommandInput,
} from '@aws-sdk/client-sagemaker';
import { assumeRoleWithPolicy, type RoleSession } from '../integration/support/iam.js';
import { arn, errorOf, failure, harnessForFile, role } from './test-harness.js';

const h = harnessForFile({ resetEach: false });

/** The IAM policies of ../shared/workflows/secure-vpc-pipelines.txt, as the seed writes them. */
const seed = JSON.parse(
  await readFile(new URL('./fixtures/secure-vpc-policies.json', import.meta.url), 'utf8'),
) as { requireVpc: object; requireNetworkIsolation: object };

const SUBNET = 'subnet-0a338babaa635e3e6';
const SECURITY_GROUP = 'sg-09d0ae98a2abd26f5';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const JOBS = ['sagemaker:CreateTrainingJob', 'sagemaker:CreateProcessingJob'];

const deny = (sid: string, actions: string[], condition: object) => ({
  Sid: sid,
  Effect: 'Deny',
  Action: actions,
  Resource: '*',
  Condition: condition,
});

/** The rest of the condition keys of reference §7.2, one statement per requirement. */
const guardrails = {
  Version: '2012-10-17',
  Statement: [
    deny('EncryptTrafficBetweenContainers', JOBS, {
      BoolIfExists: { 'sagemaker:InterContainerTrafficEncryption': 'false' },
    }),
    deny('RequireVolumeKey', [...JOBS, 'sagemaker:CreateEndpointConfig'], {
      Null: { 'sagemaker:VolumeKmsKey': 'true' },
    }),
    deny('ApprovedVolumeKeys', [...JOBS, 'sagemaker:CreateEndpointConfig'], {
      ArnNotLike: { 'sagemaker:VolumeKmsKey': 'arn:aws:kms:us-east-1:123456789012:key/*' },
    }),
    deny('RequireOutputKey', JOBS, { Null: { 'sagemaker:OutputKmsKey': 'true' } }),
    deny('ApprovedInstanceTypes', [...JOBS, 'sagemaker:CreateEndpointConfig'], {
      'ForAnyValue:StringNotLike': { 'sagemaker:InstanceTypes': ['ml.m5.*', 'ml.c5.*'] },
    }),
    deny('DayLongAtMost', JOBS, { NumericGreaterThan: { 'sagemaker:MaxRuntimeInSeconds': '86400' } }),
    // One statement per key: keys in one condition are ANDed, so a combined statement would deny
    // only requests outside both lists.
    deny('ApprovedSubnets', [...JOBS, 'sagemaker:CreateModel'], {
      'ForAnyValue:StringNotEquals': { 'sagemaker:VpcSubnets': [SUBNET] },
    }),
    deny('ApprovedSecurityGroups', [...JOBS, 'sagemaker:CreateModel'], {
      'ForAnyValue:StringNotEquals': { 'sagemaker:VpcSecurityGroupIds': [SECURITY_GROUP] },
    }),
    deny('ApprovedModels', ['sagemaker:CreateEndpointConfig'], {
      'ForAnyValue:ArnNotLike': {
        'sagemaker:ModelArn': 'arn:aws:sagemaker:us-east-1:123456789012:model/approved-*',
      },
    }),
  ],
};

const allowSageMaker = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' }],
};

const vpcConfig = { Subnets: [SUBNET], SecurityGroupIds: [SECURITY_GROUP] };

const trainingJob = (name: string, change: Partial<CreateTrainingJobCommandInput> = {}) =>
  new CreateTrainingJobCommand({
    TrainingJobName: name,
    RoleArn: role,
    AlgorithmSpecification: { TrainingImage: 'xgb:1', TrainingInputMode: 'File' },
    OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/output`, KmsKeyId: KEY },
    ResourceConfig: {
      InstanceType: 'ml.m5.large',
      InstanceCount: 1,
      VolumeSizeInGB: 10,
      VolumeKmsKeyId: KEY,
    },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    VpcConfig: vpcConfig,
    EnableNetworkIsolation: true,
    EnableInterContainerTrafficEncryption: true,
    ...change,
  });

const processingJob = (name: string, change: Partial<CreateProcessingJobCommandInput> = {}) =>
  new CreateProcessingJobCommand({
    ProcessingJobName: name,
    RoleArn: role,
    AppSpecification: { ImageUri: 'proc:1' },
    ProcessingResources: {
      ClusterConfig: {
        InstanceType: 'ml.m5.large',
        InstanceCount: 1,
        VolumeSizeInGB: 10,
        VolumeKmsKeyId: KEY,
      },
    },
    ProcessingOutputConfig: {
      KmsKeyId: KEY,
      Outputs: [
        {
          OutputName: 'out',
          S3Output: {
            S3Uri: `s3://${h.bucket}/processed`,
            LocalPath: '/opt/ml/processing/output',
            S3UploadMode: 'EndOfJob',
          },
        },
      ],
    },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    NetworkConfig: {
      VpcConfig: vpcConfig,
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
    },
    ...change,
  });

const model = (name: string, change: Partial<CreateModelCommandInput> = {}) =>
  new CreateModelCommand({
    ModelName: name,
    ExecutionRoleArn: role,
    PrimaryContainer: { Image: 'xgb:1', ModelDataUrl: `s3://${h.bucket}/model.tar.gz` },
    VpcConfig: vpcConfig,
    EnableNetworkIsolation: true,
    ...change,
  });

const endpointConfig = (name: string, change: Partial<CreateEndpointConfigCommandInput> = {}) =>
  new CreateEndpointConfigCommand({
    EndpointConfigName: name,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        ModelName: 'approved-model',
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: 1,
      },
    ],
    KmsKeyId: KEY,
    EnableNetworkIsolation: true,
    ...change,
  });

let created = 0;
/** A name no earlier request used. */
const fresh = (prefix: string): string => `${prefix}-${String(++created)}`;

let session: RoleSession;
let client: SageMakerClient;

beforeAll(async () => {
  // What a platform team attaches to a workload role: SageMaker allowed, the seed's guardrails and
  // the other condition keys' as managed policies on top.
  session = await assumeRoleWithPolicy('secure-vpc', allowSageMaker, [
    seed.requireVpc,
    seed.requireNetworkIsolation,
    guardrails,
  ]);
  client = new SageMakerClient({
    endpoint: h.emulator.endpoint,
    region: 'us-east-1',
    credentials: session.credentials,
  });
});
afterAll(() => {
  client.destroy();
});

const denied = (action: string, resource: string) => ({
  name: 'AccessDeniedException',
  status: 400,
  message: `User: ${session.arn} is not authorized to perform: sagemaker:${action} on resource: ${resource} with an explicit deny in an identity-based policy`,
});

/** Sends a request under a fresh name and expects IAM's explicit deny of it. */
async function expectDenied(action: string, arnType: string, send: (name: string) => Promise<unknown>) {
  const name = fresh(arnType);
  expect(await failure(send(name))).toEqual(denied(action, arn(arnType, name)));
}

describe("the seed's IAM policy, loaded into moto's IAM on the caller's role", () => {
  it('accepts compliant creates of every kind it governs', async () => {
    expect(await errorOf(client.send(trainingJob('compliant-training')))).toBeUndefined();
    expect(await errorOf(client.send(processingJob('compliant-processing')))).toBeUndefined();
    expect(await errorOf(client.send(model('approved-model')))).toBeUndefined();
    expect(await errorOf(client.send(endpointConfig('compliant-config')))).toBeUndefined();
    // Describe carries no condition key; the role's Allow covers it.
    const described = await client.send(
      new DescribeTrainingJobCommand({ TrainingJobName: 'compliant-training' }),
    );
    expect(described.EnableNetworkIsolation).toBe(true);
  });

  it.each<[string, (name: string) => CreateTrainingJobCommand]>([
    ['without a VPC (seed: Null VpcSubnets)', (n) => trainingJob(n, { VpcConfig: undefined })],
    [
      'without network isolation (seed: StringNotEqualsIfExists)',
      (n) => trainingJob(n, { EnableNetworkIsolation: undefined }),
    ],
    ['with network isolation off', (n) => trainingJob(n, { EnableNetworkIsolation: false })],
    [
      'without inter-container traffic encryption',
      (n) => trainingJob(n, { EnableInterContainerTrafficEncryption: false }),
    ],
    [
      'without a volume key',
      (n) =>
        trainingJob(n, {
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
        }),
    ],
    [
      'with a volume key by alias, not an approved key ARN',
      (n) =>
        trainingJob(n, {
          ResourceConfig: {
            InstanceType: 'ml.m5.large',
            InstanceCount: 1,
            VolumeSizeInGB: 10,
            VolumeKmsKeyId: 'alias/any',
          },
        }),
    ],
    [
      'without an output key',
      (n) => trainingJob(n, { OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/output` } }),
    ],
    [
      'on an instance type outside the list',
      (n) =>
        trainingJob(n, {
          ResourceConfig: {
            InstanceType: 'ml.p4d.24xlarge',
            InstanceCount: 1,
            VolumeSizeInGB: 10,
            VolumeKmsKeyId: KEY,
          },
        }),
    ],
    [
      'running longer than a day',
      (n) => trainingJob(n, { StoppingCondition: { MaxRuntimeInSeconds: 172800 } }),
    ],
    [
      'in another security group',
      (n) =>
        trainingJob(n, { VpcConfig: { Subnets: [SUBNET], SecurityGroupIds: [SECURITY_GROUP, 'sg-0other'] } }),
    ],
  ])('denies CreateTrainingJob %s', async (_, request) => {
    await expectDenied('CreateTrainingJob', 'training-job', (n) => client.send(request(n)));
  });

  it.each<[string, Partial<CreateProcessingJobCommandInput>]>([
    ['without a network config', { NetworkConfig: undefined }],
    [
      'without inter-container traffic encryption',
      { NetworkConfig: { VpcConfig: vpcConfig, EnableNetworkIsolation: true } },
    ],
    [
      'on an instance type outside the list',
      {
        ProcessingResources: {
          ClusterConfig: {
            InstanceType: 'ml.g5.xlarge',
            InstanceCount: 1,
            VolumeSizeInGB: 10,
            VolumeKmsKeyId: KEY,
          },
        },
      },
    ],
  ])('denies CreateProcessingJob %s', async (_, change) => {
    await expectDenied('CreateProcessingJob', 'processing-job', (n) => client.send(processingJob(n, change)));
  });

  it.each<[string, Partial<CreateModelCommandInput>]>([
    ['without a VPC', { VpcConfig: undefined }],
    ['without network isolation', { EnableNetworkIsolation: false }],
  ])('denies CreateModel %s', async (_, change) => {
    await expectDenied('CreateModel', 'model', (n) => client.send(model(n, change)));
  });

  it.each<[string, Partial<CreateEndpointConfigCommandInput>]>([
    ['without a volume key', { KmsKeyId: undefined }],
    ['without network isolation', { EnableNetworkIsolation: undefined }],
    [
      'serving a model outside the approved names',
      {
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'rogue-model',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
          },
        ],
      },
    ],
    [
      'on an instance type outside the list',
      {
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'approved-model',
            InstanceType: 'ml.p3.2xlarge',
            InitialInstanceCount: 1,
          },
        ],
      },
    ],
  ])('denies CreateEndpointConfig %s', async (_, change) => {
    await expectDenied('CreateEndpointConfig', 'endpoint-config', (n) =>
      client.send(endpointConfig(n, change)),
    );
  });

  it('denies CreateEndpoint too: it has no NetworkIsolation key, and the seed denies Create* IfExists', async () => {
    expect(
      await failure(
        client.send(
          new CreateEndpointCommand({ EndpointName: 'any', EndpointConfigName: 'compliant-config' }),
        ),
      ),
    ).toEqual(denied('CreateEndpoint', arn('endpoint', 'any')));
  });

  it("names each call's role session in the call log, and the rig's own callers apart", async () => {
    const since = (await h.emulator.control.calls()).calls.at(-1)?.seq ?? 0;
    await client.send(new DescribeModelCommand({ ModelName: 'approved-model' }));
    await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'approved-model' }));
    const calls = (await h.emulator.control.calls({ since, operation: 'DescribeModel' })).calls;
    expect(calls.map((c) => c.principal)).toEqual([session.arn, 'arn:aws:sts::123456789012:user/moto']);
    expect(session.arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/secure-vpc-[0-9a-f]{6}\/rig$/);
  });

  it('denies what no policy allows once a caller has policies', async () => {
    const narrow = await assumeRoleWithPolicy('models-only', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sagemaker:CreateModel', Resource: '*' }],
    });
    const narrowClient = new SageMakerClient({
      endpoint: h.emulator.endpoint,
      region: 'us-east-1',
      credentials: narrow.credentials,
    });
    expect(
      await failure(narrowClient.send(new DescribeModelCommand({ ModelName: 'approved-model' }))),
    ).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: ${narrow.arn} is not authorized to perform: sagemaker:DescribeModel on resource: ${arn('model', 'approved-model')} because no identity-based policy allows the sagemaker:DescribeModel action`,
    });
    narrowClient.destroy();
  });
});

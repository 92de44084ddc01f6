import {
  CreateDataQualityJobDefinitionCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateMonitoringScheduleCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  DeleteEndpointCommand,
  DescribeDataQualityJobDefinitionCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeMonitoringScheduleCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import type {
  CreateEndpointConfigCommandInput,
  CreateTrainingJobCommandInput,
  ProductionVariantInstanceType,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { arn, errorOf, failure, harnessForFile, phaseMs, phaseSeconds, role, until } from './test-harness.js';

const h = harnessForFile({ resetEach: true });

const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1';

const trainingJob = (
  name: string,
  extra: Partial<CreateTrainingJobCommandInput> = {},
): CreateTrainingJobCommandInput => ({
  TrainingJobName: name,
  RoleArn: role,
  AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' },
  OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/output` },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
  StoppingCondition: { MaxRuntimeInSeconds: 86400 },
  ...extra,
});

async function model(name: string, modelDataUrl = `s3://${h.bucket}/${name}/model.tar.gz`): Promise<void> {
  await h.sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: role,
      PrimaryContainer: { Image: image, ModelDataUrl: modelDataUrl },
    }),
  );
}

async function config(
  name: string,
  modelName: string,
  extra: Partial<CreateEndpointConfigCommandInput> = {},
  instances = 1,
  instanceType: ProductionVariantInstanceType = 'ml.m5.large',
): Promise<void> {
  await h.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: modelName,
          InstanceType: instanceType,
          InitialInstanceCount: instances,
        },
      ],
      ...extra,
    }),
  );
}

const describeEndpoint = (name: string) =>
  h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
const inService = (name: string) =>
  until(
    () => describeEndpoint(name),
    (d) => d.EndpointStatus === 'InService',
  );

async function endpoint(name: string, extra: Partial<CreateEndpointConfigCommandInput> = {}): Promise<void> {
  await model(`${name}-m1`);
  await config(`${name}-c1`, `${name}-m1`, extra);
  await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-c1` }));
  await inService(name);
}

const dataQualityDefinition = (name: string, roleArn = role) =>
  h.sagemaker.send(
    new CreateDataQualityJobDefinitionCommand({
      JobDefinitionName: name,
      DataQualityAppSpecification: { ImageUri: image },
      DataQualityJobInput: { EndpointInput: { EndpointName: 'ep', LocalPath: '/opt/ml/processing/input' } },
      DataQualityJobOutputConfig: {
        MonitoringOutputs: [
          { S3Output: { S3Uri: `s3://${h.bucket}/reports`, LocalPath: '/opt/ml/processing/output' } },
        ],
      },
      JobResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 20 } },
      RoleArn: roleArn,
    }),
  );

/**
 * Waits until `describe` succeeds, asserting that every earlier answer was the kind's own not-found
 * error; returns how many not-found answers came first.
 */
async function notFoundUntilVisible(
  describe: () => Promise<unknown>,
  notFound: { name: string; message: string },
): Promise<number> {
  let misses = 0;
  await until(
    async () => {
      const error = await errorOf(describe());
      if (error) {
        expect(error).toMatchObject(notFound);
        misses++;
      }
      return error;
    },
    (error) => error === undefined,
  );
  return misses;
}

describe('eventually consistent reads after a create', () => {
  it('is off by default: a describe right after a create finds the resource', async () => {
    expect((await h.emulator.control.settings()).consistency).toEqual({
      describeAfterCreate: 0,
      createDelay: 0,
    });
    await model('m-now');
    await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-now' }));
  });

  it('answers each kind’s own not-found error for a while, though the resource exists', async () => {
    // Long enough for the first describe of each kind to land inside the window on a busy machine.
    await h.emulator.control.configure({ consistency: { describeAfterCreate: 5 * phaseSeconds } });
    const started = Date.now();
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingJob('job-ec')));
    // The name is taken at once: a second create is refused while describes still miss.
    expect((await failure(h.sagemaker.send(new CreateTrainingJobCommand(trainingJob('job-ec'))))).name).toBe(
      'ResourceInUse',
    );
    const trainingMisses = await notFoundUntilVisible(
      () => h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-ec' })),
      { name: 'ValidationException', message: 'Requested resource not found.' },
    );
    expect(trainingMisses).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * phaseMs - 50);

    await model('m-ec');
    expect(
      await notFoundUntilVisible(() => h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-ec' })), {
        name: 'ValidationException',
        message: `Could not find model "${arn('model', 'm-ec')}".`,
      }),
    ).toBeGreaterThan(0);

    await config('c-ec', 'm-ec');
    expect(
      await notFoundUntilVisible(
        () => h.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'c-ec' })),
        {
          name: 'ValidationException',
          message: `Could not find endpoint configuration "${arn('endpoint-config', 'c-ec')}".`,
        },
      ),
    ).toBeGreaterThan(0);

    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep-ec', EndpointConfigName: 'c-ec' }));
    expect(
      await notFoundUntilVisible(() => describeEndpoint('ep-ec'), {
        name: 'ValidationException',
        message: `Could not find endpoint "${arn('endpoint', 'ep-ec')}".`,
      }),
    ).toBeGreaterThan(0);

    await h.sagemaker.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: 'proc-ec',
        RoleArn: role,
        AppSpecification: { ImageUri: image },
        ProcessingResources: {
          ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 20 },
        },
      }),
    );
    expect(
      await notFoundUntilVisible(
        () => h.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: 'proc-ec' })),
        { name: 'ValidationException', message: 'Could not find requested job with name proc-ec' },
      ),
    ).toBeGreaterThan(0);

    await h.sagemaker.send(
      new CreateTransformJobCommand({
        TransformJobName: 'tr-ec',
        ModelName: 'm-ec',
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${h.bucket}/in` } },
        },
        TransformOutput: { S3OutputPath: `s3://${h.bucket}/out` },
        TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      }),
    );
    expect(
      await notFoundUntilVisible(
        () => h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'tr-ec' })),
        { name: 'ValidationException', message: 'Could not find requested job with name tr-ec' },
      ),
    ).toBeGreaterThan(0);

    await dataQualityDefinition('dq-ec');
    expect(
      await notFoundUntilVisible(
        () => h.sagemaker.send(new DescribeDataQualityJobDefinitionCommand({ JobDefinitionName: 'dq-ec' })),
        { name: 'ResourceNotFound', message: 'Could not find job definition dq-ec.' },
      ),
    ).toBeGreaterThan(0);

    await h.sagemaker.send(
      new CreateMonitoringScheduleCommand({
        MonitoringScheduleName: 'mon-ec',
        MonitoringScheduleConfig: {
          ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
          MonitoringJobDefinitionName: 'dq-ec',
          MonitoringType: 'DataQuality',
        },
      }),
    );
    expect(
      await notFoundUntilVisible(
        () => h.sagemaker.send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: 'mon-ec' })),
        { name: 'ResourceNotFound', message: 'Could not find monitoring schedule mon-ec.' },
      ),
    ).toBeGreaterThan(0);
  });
});

/** Sends a CreateModel over raw HTTP, as a signed SDK call would arrive; `closed`: answered, or the socket closed. */
function rawCreateModel(name: string): { abort: () => void; closed: Promise<{ answered: boolean }> } {
  const body = JSON.stringify({
    ModelName: name,
    ExecutionRoleArn: role,
    PrimaryContainer: { Image: image, ModelDataUrl: `s3://${h.bucket}/${name}/model.tar.gz` },
  });
  const req = request(`${h.emulator.endpoint}/`, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'SageMaker.CreateModel',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=0',
      'content-length': Buffer.byteLength(body),
    },
  });
  const closed = new Promise<{ answered: boolean }>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve({ answered: true });
    });
    req.on('error', () => undefined);
    req.on('close', () => {
      resolve({ answered: false });
    });
  });
  req.end(body);
  return {
    abort: () => {
      req.destroy();
    },
    closed,
  };
}

describe('creates that land late', () => {
  it('executes a create some time after it arrives, and answers then', async () => {
    await h.emulator.control.configure({ consistency: { createDelay: 3 * phaseSeconds } });
    const sent = Date.now();
    await model('m-late');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(3 * phaseMs - 20);
    const described = await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-late' }));
    expect(described.CreationTime!.getTime()).toBeGreaterThanOrEqual(sent + 3 * phaseMs - 20);
  });

  it('executes the create although the caller went away while it was pending', async () => {
    await h.emulator.control.configure({ consistency: { createDelay: 10 * phaseSeconds } });
    const call = rawCreateModel('m-orphan');
    const pending = await until(
      () => h.emulator.control.inFlight(),
      (calls) => calls.some((c) => c.operation === 'CreateModel' && c.resource === 'm-orphan'),
    );
    const arrived = pending.find((c) => c.resource === 'm-orphan')!.time;
    // The caller dies (kill -9 closes its sockets) before the create is executed.
    call.abort();
    expect(await call.closed).toEqual({ answered: false });
    expect(
      await errorOf(h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-orphan' }))),
    ).toMatchObject({
      message: `Could not find model "${arn('model', 'm-orphan')}".`,
    });
    const described = await until(
      () => errorOf(h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-orphan' }))),
      (error) => error === undefined,
    );
    expect(described).toBeUndefined();
    const created = await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-orphan' }));
    expect(created.CreationTime!.getTime()).toBeGreaterThanOrEqual(arrived + 10 * phaseMs - 20);
    expect(await h.emulator.control.inFlight()).toEqual([]);
    const logged = await h.emulator.control.calls({ operation: 'CreateModel', resource: 'm-orphan' });
    expect(logged.calls.map((c) => c.outcome)).toEqual(['ok']);
  });

  it('a reset drops creates still pending', async () => {
    await h.emulator.control.configure({ consistency: { createDelay: 5 * phaseSeconds } });
    const call = rawCreateModel('m-dropped');
    await until(
      () => h.emulator.control.inFlight(),
      (calls) => calls.some((c) => c.resource === 'm-dropped'),
    );
    await h.emulator.control.reset();
    expect(await call.closed).toEqual({ answered: true });
    const logged = await h.emulator.control.calls({ operation: 'CreateModel', resource: 'm-dropped' });
    expect(logged.calls.map((c) => c.outcome)).toEqual(['InternalFailure']);
    expect(
      await errorOf(h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-dropped' }))),
    ).toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('endpoints as SageMaker runs them', () => {
  it('a failed update can roll back without FailureReason', async () => {
    await endpoint('ep');
    await h.emulator.control.steer({
      kind: 'Endpoint',
      name: 'ep',
      on: 'update',
      outcome: 'RollingBack',
      withoutFailureReason: true,
    });
    await model('m2');
    await config('c2', 'm2');
    await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'c2' }));
    await until(
      () => describeEndpoint('ep'),
      (d) => d.EndpointStatus === 'RollingBack',
    );
    const back = await inService('ep');
    expect(back.EndpointConfigName).toBe('ep-c1');
    expect(back.FailureReason).toBeUndefined();
    expect(back.PendingDeploymentSummary).toBeUndefined();

    await h.emulator.control.steer({
      kind: 'Endpoint',
      name: 'ep',
      on: 'update',
      outcome: 'Failed',
      withoutFailureReason: true,
    });
    await h.sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: 'ep',
        DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 2 }],
      }),
    );
    await until(
      () => describeEndpoint('ep'),
      (d) => d.EndpointStatus === 'RollingBack',
    );
    const rolledBack = await inService('ep');
    expect(rolledBack.FailureReason).toBeUndefined();
    expect(rolledBack.ProductionVariants?.[0]).toMatchObject({
      CurrentInstanceCount: 1,
      DesiredInstanceCount: 1,
    });
  });

  it('passes through SystemUpdating when steered, refusing changes but serving meanwhile', async () => {
    // Long enough for a few calls to land while the endpoint is SystemUpdating.
    await h.emulator.control.configure({ timings: { endpointSystemUpdating: 10 * phaseSeconds } });
    await endpoint('ep');
    await model('m2');
    await config('c2', 'm2');
    await h.emulator.control.steer({ kind: 'EndpointMaintenance', name: 'ep' });
    const maintained = await describeEndpoint('ep');
    expect(maintained.EndpointStatus).toBe('SystemUpdating');
    expect(
      await failure(
        h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'c2' })),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: `Cannot update in-progress endpoint "${arn('endpoint', 'ep')}".`,
    });
    expect(await failure(h.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'ep' })))).toMatchObject({
      message: `Cannot update in-progress endpoint "${arn('endpoint', 'ep')}".`,
    });
    await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'ep', Body: Buffer.from('1') }));
    const back = await inService('ep');
    expect(back.FailureReason).toBeUndefined();
    // Once: the next describes stay InService.
    expect((await describeEndpoint('ep')).EndpointStatus).toBe('InService');

    // Steered before it exists: right after the creation finishes.
    await h.emulator.control.steer({ kind: 'EndpointMaintenance', name: 'ep-b' });
    await model('mb');
    await config('cb', 'mb');
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep-b', EndpointConfigName: 'cb' }));
    const seen: string[] = [];
    await until(
      async () => {
        const d = await describeEndpoint('ep-b');
        if (seen.at(-1) !== d.EndpointStatus) seen.push(d.EndpointStatus!);
        return d;
      },
      (d) => d.EndpointStatus === 'InService',
    );
    expect(seen.filter((s) => s !== 'Creating')).toEqual(['SystemUpdating', 'InService']);
  });

  it('keeps the old data capture config when variant properties are retained', async () => {
    const capture = (prefix: string) => ({
      DataCaptureConfig: {
        InitialSamplingPercentage: 100,
        DestinationS3Uri: `s3://${h.bucket}/${prefix}`,
        CaptureOptions: [{ CaptureMode: 'Input' as const }, { CaptureMode: 'Output' as const }],
      },
    });
    await endpoint('ep', capture('capture-old'));
    await model('m2');
    await config('c2', 'm2', capture('capture-new'));
    await h.sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: 'ep',
        EndpointConfigName: 'c2',
        RetainAllVariantProperties: true,
      }),
    );
    const retained = await until(
      () => describeEndpoint('ep'),
      (d) => d.EndpointStatus === 'InService' && d.EndpointConfigName === 'c2',
    );
    expect(retained.DataCaptureConfig?.DestinationS3Uri).toBe(`s3://${h.bucket}/capture-old`);
    await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'ep', Body: Buffer.from('1') }));
    expect(await h.keys('capture-old/ep/')).toHaveLength(1);
    expect(await h.keys('capture-new/')).toEqual([]);

    // Without retaining, the new config's capture applies.
    await model('m3');
    await config('c3', 'm3', capture('capture-new'));
    await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'c3' }));
    const replaced = await until(
      () => describeEndpoint('ep'),
      (d) => d.EndpointStatus === 'InService' && d.EndpointConfigName === 'c3',
    );
    expect(replaced.DataCaptureConfig?.DestinationS3Uri).toBe(`s3://${h.bucket}/capture-new`);
  });
});

describe('validation as SageMaker does it', () => {
  it('refuses roles of another account or partition', async () => {
    const crossAccount = { name: 'ValidationException', message: 'Cross-account pass role is not allowed.' };
    const otherAccount = 'arn:aws:iam::210987654321:role/sagemaker-execution';
    const otherPartition = 'arn:aws-cn:iam::123456789012:role/sagemaker-execution';
    for (const roleArn of [otherAccount, otherPartition]) {
      expect(
        await failure(
          h.sagemaker.send(new CreateTrainingJobCommand(trainingJob('job-role', { RoleArn: roleArn }))),
        ),
      ).toMatchObject(crossAccount);
    }
    expect(
      await failure(
        h.sagemaker.send(
          new CreateModelCommand({
            ModelName: 'm-role',
            ExecutionRoleArn: otherAccount,
            PrimaryContainer: { Image: image },
          }),
        ),
      ),
    ).toMatchObject(crossAccount);
    expect(await failure(dataQualityDefinition('dq-role', otherPartition))).toMatchObject(crossAccount);
    expect(await errorOf(h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-role' })))).toMatchObject({
      message: `Could not find model "${arn('model', 'm-role')}".`,
    });
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingJob('job-role')));
  });

  it('refuses no instances and more instances of a type than the account quota', async () => {
    expect(
      await failure(
        h.sagemaker.send(
          new CreateTrainingJobCommand(
            trainingJob('job-0', {
              ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 0, VolumeSizeInGB: 10 },
            }),
          ),
        ),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '0' at 'resourceConfig.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
    expect(
      await failure(
        h.sagemaker.send(
          new CreateTrainingJobCommand(
            trainingJob('job-many', {
              ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 5000, VolumeSizeInGB: 10 },
            }),
          ),
        ),
      ),
    ).toMatchObject({
      name: 'ResourceLimitExceeded',
      message: expect.stringContaining(
        "The account-level service limit 'ml.m5.large for training job usage' is 100 Instances, with current utilization of 0 Instances and a request delta of 5000 Instances.",
      ),
    });
    await model('m-many');
    await config('c-many', 'm-many', {}, 101, 'ml.c5.xlarge');
    expect(
      await failure(
        h.sagemaker.send(
          new CreateEndpointCommand({ EndpointName: 'ep-many', EndpointConfigName: 'c-many' }),
        ),
      ),
    ).toMatchObject({
      name: 'ResourceLimitExceeded',
      message: expect.stringContaining("'ml.c5.xlarge for endpoint usage' is 100 Instances"),
    });
    await h.emulator.control.configure({ limits: { instancesPerType: 2 } });
    await config('c-three', 'm-many', {}, 3);
    expect(
      await failure(
        h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep-3', EndpointConfigName: 'c-three' })),
      ),
    ).toMatchObject({ name: 'ResourceLimitExceeded', message: expect.stringContaining('is 2 Instances') });
    await config('c-two', 'm-many', {}, 2);
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep-2', EndpointConfigName: 'c-two' }));
  });

  it('with S3 checks on, refuses a model whose artifact is missing and fails training without input data', async () => {
    // Off by default: a missing artifact is accepted.
    await model('m-unchecked', `s3://${h.bucket}/nowhere/model.tar.gz`);
    await h.emulator.control.configure({ s3Checks: { inputsExist: true } });
    const missing = `s3://${h.bucket}/missing/model.tar.gz`;
    expect(await failure(model('m-missing', missing))).toMatchObject({
      name: 'ValidationException',
      message: `Could not find model data at ${missing}.`,
    });
    await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: 'missing/model.tar.gz', Body: 'x' }));
    await model('m-missing', missing);
    // A multi-model prefix may be empty: models are added later.
    await h.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'm-multi',
        ExecutionRoleArn: role,
        PrimaryContainer: { Image: image, Mode: 'MultiModel', ModelDataUrl: `s3://${h.bucket}/mme/` },
      }),
    );

    const withInput = (name: string, prefix: string) =>
      trainingJob(name, {
        InputDataConfig: [
          {
            ChannelName: 'train',
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${h.bucket}/${prefix}` } },
          },
        ],
      });
    await h.sagemaker.send(new CreateTrainingJobCommand(withInput('job-no-data', 'no-data')));
    const failed = await until(
      () => h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-no-data' })),
      (d) => d.TrainingJobStatus !== 'InProgress',
    );
    expect(failed).toMatchObject({ TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed' });
    expect(failed.FailureReason).toBe(
      `ClientError: No S3 objects found under S3 URL "s3://${h.bucket}/no-data" given in input data source. Please ensure that the bucket exists in the selected region (us-east-1), that objects exist under that S3 prefix, and that the role "${role}" has "s3:ListBucket" permissions on bucket "${h.bucket}".`,
    );
    expect(failed.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Failed',
    ]);

    await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: 'data/train.csv', Body: '1,2' }));
    await h.sagemaker.send(new CreateTrainingJobCommand(withInput('job-data', 'data')));
    const done = await until(
      () => h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-data' })),
      (d) => d.TrainingJobStatus !== 'InProgress',
    );
    expect(done.TrainingJobStatus).toBe('Completed');
  });
});

describe('server-side defaults in describe answers', () => {
  it('DescribeTrainingJob fills what the request left out and keeps what it set', async () => {
    await h.sagemaker.send(
      new CreateTrainingJobCommand(
        trainingJob('job-defaults', {
          InputDataConfig: [
            {
              ChannelName: 'train',
              DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${h.bucket}/train` } },
            },
          ],
          CheckpointConfig: { S3Uri: `s3://${h.bucket}/checkpoints` },
        }),
      ),
    );
    const described = await h.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: 'job-defaults' }),
    );
    expect(described).toMatchObject({
      EnableNetworkIsolation: false,
      EnableInterContainerTrafficEncryption: false,
      EnableManagedSpotTraining: false,
      AlgorithmSpecification: { EnableSageMakerMetricsTimeSeries: false, TrainingInputMode: 'File' },
      OutputDataConfig: { CompressionType: 'GZIP', S3OutputPath: `s3://${h.bucket}/output` },
      ProfilingStatus: 'Disabled',
      CheckpointConfig: { LocalPath: '/opt/ml/checkpoints/' },
      InputDataConfig: [
        {
          CompressionType: 'None',
          RecordWrapperType: 'None',
          DataSource: { S3DataSource: { S3DataDistributionType: 'FullyReplicated' } },
        },
      ],
    });

    await h.sagemaker.send(
      new CreateTrainingJobCommand(
        trainingJob('job-set', {
          EnableNetworkIsolation: true,
          EnableInterContainerTrafficEncryption: true,
          OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/output`, CompressionType: 'NONE' },
        }),
      ),
    );
    expect(
      await h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-set' })),
    ).toMatchObject({
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
      OutputDataConfig: { CompressionType: 'NONE' },
    });
  });

  it('DescribeTrainingJob reports an output KMS key of "" when the request set none, and the key it set', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingJob('job-no-key')));
    const described = await h.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: 'job-no-key' }),
    );
    expect(described.OutputDataConfig).toHaveProperty('KmsKeyId', '');

    const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await h.sagemaker.send(
      new CreateTrainingJobCommand(
        trainingJob('job-key', {
          OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/output`, KmsKeyId: key },
        }),
      ),
    );
    expect(
      (await h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-key' })))
        .OutputDataConfig,
    ).toHaveProperty('KmsKeyId', key);
  });

  it('DescribeTrainingJob reports profiling, rule volumes and the instance count beside instance groups', async () => {
    const rule = { RuleConfigurationName: 'r', RuleEvaluatorImage: image };
    await h.sagemaker.send(
      new CreateTrainingJobCommand(
        trainingJob('job-profiled', {
          ResourceConfig: {
            InstanceGroups: [{ InstanceGroupName: 'g', InstanceType: 'ml.m5.large', InstanceCount: 1 }],
            VolumeSizeInGB: 10,
          },
          ProfilerConfig: { S3OutputPath: `s3://${h.bucket}/profiles` },
          ProfilerRuleConfigurations: [rule],
          DebugRuleConfigurations: [{ ...rule, VolumeSizeInGB: 5 }],
        }),
      ),
    );
    expect(
      await h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-profiled' })),
    ).toMatchObject({
      ProfilingStatus: 'Enabled',
      ResourceConfig: { InstanceCount: 0 },
      ProfilerRuleConfigurations: [{ RuleConfigurationName: 'r', VolumeSizeInGB: 0 }],
      DebugRuleConfigurations: [{ RuleConfigurationName: 'r', VolumeSizeInGB: 5 }],
    });
  });

  it('DescribeTransformJob reports an output KMS key of "" and the default data processing', async () => {
    await model('m-transform');
    await h.sagemaker.send(
      new CreateTransformJobCommand({
        TransformJobName: 'transform-defaults',
        ModelName: 'm-transform',
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${h.bucket}/in` } },
        },
        TransformOutput: { S3OutputPath: `s3://${h.bucket}/out` },
        TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      }),
    );
    expect(
      await h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'transform-defaults' })),
    ).toMatchObject({
      TransformOutput: { KmsKeyId: '', AssembleWith: 'None' },
      DataProcessing: { InputFilter: '$', OutputFilter: '$', JoinSource: 'None' },
    });
  });

  it('DescribeProcessingJob reports outputs that are not app-managed', async () => {
    await h.sagemaker.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: 'processing-defaults',
        RoleArn: role,
        AppSpecification: { ImageUri: image },
        ProcessingResources: {
          ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 20 },
        },
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'out',
              S3Output: {
                S3Uri: `s3://${h.bucket}/out`,
                LocalPath: '/opt/ml/processing/out',
                S3UploadMode: 'EndOfJob',
              },
            },
          ],
        },
      }),
    );
    expect(
      await h.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: 'processing-defaults' })),
    ).toMatchObject({ ProcessingOutputConfig: { Outputs: [{ OutputName: 'out', AppManaged: false }] } });
  });

  it('DescribeModelPackage reports image digests, validation statuses and validation outputs without a KMS key', async () => {
    const transformImage = `${image.split(':')[0]!}:2`;
    await h.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageName: 'package-defaults',
        InferenceSpecification: {
          Containers: [{ Image: image }, { Image: transformImage }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
        ValidationSpecification: {
          ValidationRole: role,
          ValidationProfiles: [
            {
              ProfileName: 'validate',
              TransformJobDefinition: {
                TransformInput: {
                  DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${h.bucket}/in` } },
                },
                TransformOutput: { S3OutputPath: `s3://${h.bucket}/out` },
                TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
              },
            },
          ],
        },
      }),
    );
    const describe = () =>
      h.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: 'package-defaults' }));
    const described = await describe();
    const [first, second] = described.InferenceSpecification!.Containers!;
    expect(first!.ImageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second!.ImageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second!.ImageDigest).not.toBe(first!.ImageDigest);
    expect(
      described.ValidationSpecification!.ValidationProfiles![0]!.TransformJobDefinition!.TransformOutput,
    ).toEqual({ S3OutputPath: `s3://${h.bucket}/out`, KmsKeyId: '' });
    const completed = await until(describe, (d) => d.ModelPackageStatus === 'Completed');
    expect(completed.ModelPackageStatusDetails).toEqual({
      ValidationStatuses: [{ Name: 'validate', Status: 'Completed' }],
      ImageScanStatuses: [],
    });
  });

  it('DescribeModel and DescribeEndpointConfig report network isolation, modes, weights and capture', async () => {
    await model('m-defaults');
    expect(await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-defaults' }))).toMatchObject({
      EnableNetworkIsolation: false,
      PrimaryContainer: { Mode: 'SingleModel' },
    });
    await config('c-defaults', 'm-defaults', {
      DataCaptureConfig: {
        InitialSamplingPercentage: 10,
        DestinationS3Uri: `s3://${h.bucket}/capture`,
        CaptureOptions: [{ CaptureMode: 'Input' }],
      },
    });
    expect(
      await h.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'c-defaults' })),
    ).toMatchObject({
      EnableNetworkIsolation: false,
      ProductionVariants: [{ VariantName: 'AllTraffic', InitialVariantWeight: 1 }],
      DataCaptureConfig: { EnableCapture: true },
    });
  });
});

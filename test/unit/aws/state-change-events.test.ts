import { describe, expect, it } from '@jest/globals';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { pino } from 'pino';
import {
  parseStateChange,
  StateChangeQueue,
  type StateChange,
} from '../../../src/aws/state-change-events.js';

/*
 * The events below are AWS's documented examples (SageMaker Developer Guide, "Events that Amazon
 * SageMaker AI sends to Amazon EventBridge"), field for field, except where the documentation's
 * text is not valid JSON: the endpoint deployment example's `"StartTime": Timestamp` and trailing
 * commas, and the model package example's duplicated `"source": ["aws.sagemaker"]` (an event
 * pattern's syntax pasted into the event), its `#` comment and a missing comma. Long configuration
 * blocks the parser never reads are kept in shape but not in every value.
 */

const trainingJob = {
  version: '0',
  id: '844e2571-85d4-695f-b930-0153b71dcb42',
  'detail-type': 'SageMaker Training Job State Change',
  source: 'aws.sagemaker',
  account: '111122223333',
  time: '2018-10-06T12:26:13Z',
  region: 'us-east-1',
  resources: ['arn:aws:sagemaker:us-east-1:111122223333:training-job/kmeans-1'],
  detail: {
    TrainingJobName: '89c96cc8-dded-4739-afcc-6f1dc936701d',
    TrainingJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/kmeans-1',
    TrainingJobStatus: 'Completed',
    SecondaryStatus: 'Completed',
    HyperParameters: { Hyper: 'Parameters' },
    AlgorithmSpecification: { TrainingImage: 'TrainingImage', TrainingInputMode: 'TrainingInputMode' },
    RoleArn: 'arn:aws:iam::111122223333:role/SMRole',
    InputDataConfig: [
      {
        ChannelName: 'Train',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3DataType',
            S3Uri: 'S3Uri',
            S3DataDistributionType: 'S3DataDistributionType',
          },
        },
        ContentType: 'ContentType',
        CompressionType: 'CompressionType',
        RecordWrapperType: 'RecordWrapperType',
      },
    ],
    OutputDataConfig: { KmsKeyId: 'KmsKeyId', S3OutputPath: 'S3OutputPath' },
    ResourceConfig: {
      InstanceType: 'InstanceType',
      InstanceCount: 3,
      VolumeSizeInGB: 20,
      VolumeKmsKeyId: 'VolumeKmsKeyId',
    },
    VpcConfig: {},
    StoppingCondition: { MaxRuntimeInSeconds: 60 },
    CreationTime: '1583831889050',
    TrainingStartTime: '1583831889050',
    TrainingEndTime: '1583831889050',
    LastModifiedTime: '1583831889050',
    SecondaryStatusTransitions: [],
    Tags: {},
  },
};

const endpoint = {
  version: '0',
  id: 'd2921b5a-b0ad-cace-a8e3-0f159d018e06',
  'detail-type': 'SageMaker Endpoint State Change',
  source: 'aws.sagemaker',
  account: '111122223333',
  time: '1583831889050',
  region: 'us-west-2',
  resources: ['arn:aws:sagemaker:us-west-2:111122223333:endpoint/myendpoint'],
  detail: {
    EndpointName: 'MyEndpoint',
    EndpointArn: 'arn:aws:sagemaker:us-west-2:111122223333:endpoint/myendpoint',
    EndpointConfigName: 'MyEndpointConfig',
    ProductionVariants: [{ DesiredWeight: 1.0, DesiredInstanceCount: 1.0 }],
    EndpointStatus: 'IN_SERVICE',
    CreationTime: 1592411992203.0,
    LastModifiedTime: 1592411994287.0,
    Tags: {},
  },
};

const endpointDeployment = {
  version: '0',
  id: '0bd4a141-0a02-9d8a-f977-3924c3fb259c',
  'detail-type': 'SageMaker Endpoint Deployment State Change',
  source: 'aws.sagemaker',
  account: '111122223333',
  time: '2021-10-25T01:52:12Z',
  region: 'us-west-2',
  resources: ['arn:aws:sagemaker:us-west-2:111122223333:endpoint/sample-endpoint'],
  detail: {
    EndpointName: 'sample-endpoint',
    EndpointArn: 'arn:aws:sagemaker:us-west-2:111122223333:endpoint/sample-endpoint',
    EndpointConfigName: 'sample-endpoint-config-1',
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        CurrentWeight: 1,
        DesiredWeight: 1,
        CurrentInstanceCount: 3,
        DesiredInstanceCount: 3,
      },
    ],
    EndpointStatus: 'UPDATING',
    CreationTime: 1635195148181,
    LastModifiedTime: 1635195148181,
    Tags: {},
    PendingDeploymentSummary: {
      EndpointConfigName: 'sample-endpoint-config-2',
      StartTime: 1635195148181,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          CurrentWeight: 1,
          DesiredWeight: 1,
          CurrentInstanceCount: 1,
          DesiredInstanceCount: 3,
          VariantStatus: [
            {
              Status: 'Baking',
              StatusMessage:
                'Baking for 600 seconds (TerminationWaitInSeconds) with traffic enabled on canary capacity of 1 instance(s).',
              StartTime: 1635195269181,
            },
          ],
        },
      ],
    },
  },
};

const processingJob = {
  version: '0',
  id: '0a15f67d-aa23-0123-0123-01a23w89r01t',
  'detail-type': 'SageMaker Processing Job State Change',
  source: 'aws.sagemaker',
  account: '111122223333',
  time: '2019-05-31T21:49:54Z',
  region: 'us-east-1',
  resources: [
    'arn:aws:sagemaker:us-west-2:037210630506:processing-job/integ-test-analytics-algo-54ee3282-5899-4aa3-afc2-7ce1d02',
  ],
  detail: {
    ProcessingInputs: [
      {
        InputName: 'InputName',
        S3Input: {
          S3Uri: 's3://input/s3/uri',
          LocalPath: '/opt/ml/processing/input/local/path',
          S3DataType: 'MANIFEST_FILE',
          S3InputMode: 'PIPE',
          S3DataDistributionType: 'FULLYREPLICATED',
        },
      },
    ],
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: 'OutputName',
          S3Output: {
            S3Uri: 's3://output/s3/uri',
            LocalPath: '/opt/ml/processing/output/local/path',
            S3UploadMode: 'CONTINUOUS',
          },
        },
      ],
      KmsKeyId: 'KmsKeyId',
    },
    ProcessingJobName: 'integ-test-analytics-algo-54ee3282-5899-4aa3-afc2-7ce1d02',
    ProcessingResources: {
      ClusterConfig: {
        InstanceCount: 3,
        InstanceType: 'ml.c5.xlarge',
        VolumeSizeInGB: 5,
        VolumeKmsKeyId: 'VolumeKmsKeyId',
      },
    },
    StoppingCondition: { MaxRuntimeInSeconds: 2000 },
    AppSpecification: { ImageUri: '012345678901.dkr.ecr.us-west-2.amazonaws.com/processing-uri:latest' },
    NetworkConfig: {
      EnableInterContainerTrafficEncryption: true,
      EnableNetworkIsolation: false,
      VpcConfig: {
        SecurityGroupIds: ['SecurityGroupId1', 'SecurityGroupId2', 'SecurityGroupId3'],
        Subnets: ['Subnet1', 'Subnet2'],
      },
    },
    RoleArn: 'arn:aws:iam::037210630506:role/SageMakerPowerUser',
    ExperimentConfig: {},
    ProcessingJobArn:
      'arn:aws:sagemaker:us-west-2:037210630506:processing-job/integ-test-analytics-algo-54ee3282-5899-4aa3-afc2-7ce1d02',
    ProcessingJobStatus: 'Failed',
    FailureReason: 'InternalServerError: We encountered an internal error.  Please try again.',
    ProcessingEndTime: 1704320746000,
    ProcessingStartTime: 1704320734000,
    LastModifiedTime: 1704320746000,
    CreationTime: 1704320199000,
  },
};

const transformJob = {
  version: '0',
  id: '844e2571-85d4-695f-b930-0153b71dcb42',
  'detail-type': 'SageMaker Transform Job State Change',
  source: 'aws.sagemaker',
  account: '111122223333',
  time: '2018-10-06T12:26:13Z',
  region: 'us-east-1',
  resources: ['arn:aws:sagemaker:us-east-1:111122223333:transform-job/myjob'],
  detail: {
    TransformJobName: '4b52bd8f-e034-4345-818d-884bdd7c9724',
    TransformJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:transform-job/myjob',
    TransformJobStatus: 'another status... GO',
    FailureReason: 'failed why 1',
    ModelName: 'i am a beautiful model',
    MaxConcurrentTransforms: 5,
    MaxPayloadInMB: 10,
    BatchStrategy: 'Strategizing...',
    Environment: { environment1: 'environment2' },
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 's3DataType', S3Uri: 's3Uri' } },
      ContentType: 'content type',
      CompressionType: 'compression type',
      SplitType: 'split type',
    },
    TransformOutput: {
      S3OutputPath: 's3Uri',
      Accept: 'accept',
      AssembleWith: 'assemblyType',
      KmsKeyId: 'kmsKeyId',
    },
    TransformResources: { InstanceType: 'instanceType', InstanceCount: 3 },
    CreationTime: '2018-10-06T12:26:13Z',
    TransformStartTime: '2018-10-06T12:26:13Z',
    TransformEndTime: '2018-10-06T12:26:13Z',
    Tags: {},
  },
};

const modelPackage = {
  version: '0',
  id: '844e2571-85d4-695f-b930-0153b71dcb42',
  'detail-type': 'SageMaker Model Package State Change',
  source: 'aws.sagemaker',
  account: '111122223333',
  time: '2021-02-24T17:00:14Z',
  region: 'us-east-2',
  resources: ['arn:aws:sagemaker:us-east-2:111122223333:model-package/versionedmp-p-idy6c3e1fiqj/2'],
  detail: {
    ModelPackageGroupName: 'versionedmp-p-idy6c3e1fiqj',
    ModelPackageVersion: 2,
    ModelPackageArn: 'arn:aws:sagemaker:us-east-2:111122223333:model-package/versionedmp-p-idy6c3e1fiqj/2',
    CreationTime: '2021-02-24T17:00:14Z',
    InferenceSpecification: {
      Containers: [
        { Image: 'sagemaker-xgboost:1.0-1-cpu-py3', ModelDataUrl: 's3://bucket/output/model.tar.gz' },
      ],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['text/csv'],
    },
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: false,
    ModelApprovalStatus: 'Rejected',
    ModelLifeCycle: { Stage: 'Development', StageStatus: 'Approved', StageDescription: 'StageDescription' },
    UpdatedModelPackageFields: ['ModelLifeCycle'],
    LastModifiedTime: '2021-02-24T17:00:14Z',
  },
};

/** Not in AWS's examples (none is published): the envelope of the others, the Describe field names. */
const monitoringSchedule = {
  version: '0',
  id: '5a8f6b1e-0000-0000-0000-000000000000',
  'detail-type': 'SageMaker Monitoring Schedule State Change',
  source: 'aws.sagemaker',
  account: '111122223333',
  time: '2024-01-03T22:25:46Z',
  region: 'eu-west-1',
  resources: ['arn:aws:sagemaker:eu-west-1:111122223333:monitoring-schedule/my-schedule'],
  detail: { MonitoringScheduleName: 'My-Schedule', MonitoringScheduleStatus: 'Scheduled' },
};

const tuningJob = {
  version: '0',
  id: '844e2571-85d4-695f-b930-0153b71dcb42',
  'detail-type': 'SageMaker HyperParameter Tuning Job State Change',
  source: 'aws.sagemaker',
  account: '111122223333',
  time: '2018-10-06T12:26:13Z',
  region: 'us-east-1',
  resources: ['arn:aws:sagemaker:us-east-1:111122223333:tuningJob/x'],
  detail: {
    HyperParameterTuningJobName: '016bffd3-6d71-4d3a-9710-0a332b2759fc',
    HyperParameterTuningJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:tuningJob/x',
    HyperParameterTuningJobStatus: 'status',
    CreationTime: '1583831889050',
    LastModifiedTime: '1583831889050',
    Tags: {},
  },
};

const parse = (event: unknown): StateChange | undefined => parseStateChange(JSON.stringify(event));

describe('parseStateChange on the documented examples', () => {
  it('reads a training job state change', () => {
    expect(parse(trainingJob)).toEqual({
      resourceType: 'TrainingJob',
      name: '89c96cc8-dded-4739-afcc-6f1dc936701d',
      region: 'us-east-1',
      account: '111122223333',
      time: new Date('2018-10-06T12:26:13Z'),
      detailType: 'SageMaker Training Job State Change',
      status: 'Completed',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/kmeans-1',
    });
  });

  it('reads an endpoint state change, its time in epoch milliseconds and its name as in detail', () => {
    expect(parse(endpoint)).toEqual({
      resourceType: 'Endpoint',
      name: 'MyEndpoint',
      region: 'us-west-2',
      account: '111122223333',
      time: new Date(1583831889050),
      detailType: 'SageMaker Endpoint State Change',
      status: 'IN_SERVICE',
      arn: 'arn:aws:sagemaker:us-west-2:111122223333:endpoint/myendpoint',
    });
  });

  it('reads an endpoint deployment state change as a change of the endpoint', () => {
    expect(parse(endpointDeployment)).toMatchObject({
      resourceType: 'Endpoint',
      name: 'sample-endpoint',
      region: 'us-west-2',
      status: 'UPDATING',
      time: new Date('2021-10-25T01:52:12Z'),
    });
  });

  it('reads a processing job state change', () => {
    expect(parse(processingJob)).toMatchObject({
      resourceType: 'ProcessingJob',
      name: 'integ-test-analytics-algo-54ee3282-5899-4aa3-afc2-7ce1d02',
      region: 'us-east-1',
      account: '111122223333',
      status: 'Failed',
    });
  });

  it('reads a transform job state change', () => {
    expect(parse(transformJob)).toMatchObject({
      resourceType: 'TransformJob',
      name: '4b52bd8f-e034-4345-818d-884bdd7c9724',
      region: 'us-east-1',
      status: 'another status... GO',
    });
  });

  it('reads a versioned model package by its group and version', () => {
    expect(parse(modelPackage)).toEqual({
      resourceType: 'ModelPackage',
      name: 'versionedmp-p-idy6c3e1fiqj',
      version: 2,
      region: 'us-east-2',
      account: '111122223333',
      time: new Date('2021-02-24T17:00:14Z'),
      detailType: 'SageMaker Model Package State Change',
      status: 'Completed',
      arn: 'arn:aws:sagemaker:us-east-2:111122223333:model-package/versionedmp-p-idy6c3e1fiqj/2',
    });
  });

  it('reads an unversioned model package by its ModelPackageName', () => {
    const event = { ...modelPackage, detail: { ...modelPackage.detail, ModelPackageName: 'my-package' } };
    expect(parse(event)).toMatchObject({ name: 'my-package', resourceType: 'ModelPackage' });
    expect(parse(event)?.version).toBeUndefined();
  });

  it('reads a monitoring schedule state change (undocumented shape) from detail, else from its ARN', () => {
    expect(parse(monitoringSchedule)).toMatchObject({
      resourceType: 'MonitoringSchedule',
      name: 'My-Schedule',
      region: 'eu-west-1',
      status: 'Scheduled',
    });
    expect(parse({ ...monitoringSchedule, detail: {} })).toMatchObject({
      resourceType: 'MonitoringSchedule',
      name: 'my-schedule',
    });
    expect(parse({ ...monitoringSchedule, detail: {}, resources: [] })).toBeUndefined();
  });

  it('ignores detail-types it does not read', () => {
    expect(parse(tuningJob)).toBeUndefined();
    expect(parse({ ...trainingJob, 'detail-type': 'SageMaker Model State Change' })).toBeUndefined();
    expect(parse({ ...trainingJob, 'detail-type': 'AWS API Call via CloudTrail' })).toBeUndefined();
  });
});

describe('parseStateChange on malformed input', () => {
  it.each([
    ['empty', ''],
    ['not JSON', 'hello'],
    ['truncated JSON', JSON.stringify(trainingJob).slice(0, 80)],
    ['JSON null', 'null'],
    ['a JSON array', JSON.stringify([trainingJob])],
    ['a JSON string', JSON.stringify(JSON.stringify(trainingJob))],
    ['a number', '42'],
  ])('%s gives undefined', (_what, body) => {
    expect(parseStateChange(body)).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['another source', { ...trainingJob, source: 'aws.batch' }],
    ['source as an event pattern array', { ...trainingJob, source: ['aws.sagemaker'] }],
    ['no detail-type', { ...trainingJob, 'detail-type': undefined }],
    ['no region', { ...trainingJob, region: undefined }],
    ['empty region', { ...trainingJob, region: '' }],
    ['account not a string', { ...trainingJob, account: 111122223333 }],
    ['no detail', { ...trainingJob, detail: undefined }],
    ['detail an array', { ...trainingJob, detail: [trainingJob.detail] }],
    ['no name', { ...trainingJob, detail: { TrainingJobStatus: 'Completed' } }],
    ['name not a string', { ...trainingJob, detail: { TrainingJobName: 7 } }],
    ['empty name', { ...trainingJob, detail: { TrainingJobName: '' } }],
    ['the name of another kind', { ...trainingJob, detail: { EndpointName: 'x' } }],
    ['an SNS notification envelope', { Type: 'Notification', Message: JSON.stringify(trainingJob) }],
    ['a prototype key as detail-type', { ...trainingJob, 'detail-type': 'constructor' }],
  ])('%s gives undefined', (_what, event) => {
    expect(parse(event)).toBeUndefined();
  });

  it('leaves time unset when it is unreadable, and still reads the change', () => {
    expect(parse({ ...trainingJob, time: 'yesterday' })).not.toHaveProperty('time');
    expect(parse({ ...trainingJob, time: undefined })?.name).toBe(trainingJob.detail.TrainingJobName);
  });
});

/** A stand-in SQSClient: answers each send from `answer`, recording the commands. */
function fakeSqs(answer: (command: unknown, calls: number) => Promise<unknown>): {
  client: SQSClient;
  commands: unknown[];
} {
  const commands: unknown[] = [];
  const client = {
    send: (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      commands.push(command);
      if (options?.abortSignal === undefined) throw new Error('a call without the abort signal');
      return answer(command, commands.length);
    },
  } as unknown as SQSClient;
  return { client, commands };
}

const silent = pino({ level: 'silent' });

describe('StateChangeQueue with a stand-in client', () => {
  it('short-polls first, then long-polls; hands changes over and deletes them; keeps a failed one', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const { client, commands } = fakeSqs((command, calls) => {
      if (command instanceof ReceiveMessageCommand && calls === 1)
        return Promise.resolve({
          Messages: [
            { MessageId: 'a', ReceiptHandle: 'ra', Body: JSON.stringify(trainingJob) },
            { MessageId: 'b', ReceiptHandle: 'rb', Body: JSON.stringify(endpoint) },
            { MessageId: 'c', ReceiptHandle: 'rc', Body: 'garbage' },
          ],
        });
      if (command instanceof DeleteMessageBatchCommand)
        return Promise.resolve({ Successful: [], Failed: [] });
      controller.abort();
      return Promise.reject(new Error('aborted'));
    });
    const queue = new StateChangeQueue(client, 'http://q', silent, { waitTimeSeconds: 1, minBackoffMs: 10 });
    await queue.run((change) => {
      if (change.resourceType === 'Endpoint') throw new Error('handler failed');
      seen.push(change.name);
    }, controller.signal);
    expect(seen).toEqual([trainingJob.detail.TrainingJobName]);
    const receives = commands.filter((c) => c instanceof ReceiveMessageCommand);
    expect(receives.map((c) => c.input.WaitTimeSeconds)).toEqual([0, 1]);
    expect(receives[0]!.input.MaxNumberOfMessages).toBe(10);
    const deletes = commands.filter((c) => c instanceof DeleteMessageBatchCommand);
    expect(deletes.map((c) => c.input.Entries?.map((e) => e.ReceiptHandle))).toEqual([['ra', 'rc']]);
  });

  it('is healthy after a successful receive, unhealthy after a failed one or two wait periods later', async () => {
    let now = 0;
    const controller = new AbortController();
    const ref: { queue?: StateChangeQueue } = {};
    const health: boolean[] = [];
    const { client } = fakeSqs((_command, calls) => {
      const queue = ref.queue!;
      health.push(queue.healthy());
      if (calls === 1) return Promise.resolve({});
      if (calls === 2) {
        now += 2000; // exactly two wait periods since the success
        health.push(queue.healthy());
        now += 1;
        health.push(queue.healthy());
        return Promise.reject(new Error('boom'));
      }
      controller.abort();
      return Promise.reject(new Error('aborted'));
    });
    const queue = new StateChangeQueue(
      client,
      'http://q',
      silent,
      { waitTimeSeconds: 1, minBackoffMs: 1 },
      () => now,
    );
    ref.queue = queue;
    expect(queue.healthy()).toBe(false);
    await queue.run(() => undefined, controller.signal);
    // before call 1; before call 2, at 2 s, at 2.001 s; before call 3 (after the failure)
    expect(health).toEqual([false, true, true, false, false]);
    expect(queue.healthy()).toBe(false);
  });

  it('backs off exponentially on failures and stops at once when aborted while waiting', async () => {
    const controller = new AbortController();
    const times: number[] = [];
    const { client } = fakeSqs(() => {
      times.push(performance.now());
      if (times.length === 4)
        setTimeout(() => {
          controller.abort();
        }, 5);
      return Promise.reject(new Error('down'));
    });
    const queue = new StateChangeQueue(client, 'http://q', silent, {
      waitTimeSeconds: 1,
      minBackoffMs: 40,
      maxBackoffMs: 10_000,
    });
    const started = performance.now();
    await queue.run(() => undefined, controller.signal);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(35);
    // the fourth wait (up to 320 ms) was cut short by the abort
    expect(performance.now() - started).toBeLessThan(gaps.reduce((a, b) => a + b, 0) + 300);
  });

  it('does not loop hot when an empty long poll comes back at once', async () => {
    const controller = new AbortController();
    const { client, commands } = fakeSqs(() => Promise.resolve({}));
    const queue = new StateChangeQueue(client, 'http://q', silent, { waitTimeSeconds: 1, minBackoffMs: 50 });
    setTimeout(() => {
      controller.abort();
    }, 260);
    await queue.run(() => undefined, controller.signal);
    // one short poll, then one long poll per 50 ms at most
    expect(commands.length).toBeLessThanOrEqual(7);
  });
});

/*
 * The push channel end to end: the emulator publishes SageMaker's EventBridge
 * state-change events to an SQS queue on moto (test/emulator/events.ts), the operator consumes them
 * with StateChangeQueue, and each event reconciles the object it names at once, while sweeps slow
 * to the drift interval. A broken queue falls back to sweeps; a foreign resource's events cost
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateProcessingJobCommand,
  CreateTransformJobCommand,
  DescribeTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { parseStateChange, StateChangeQueue } from '../../../src/aws/state-change-events.js';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import type { EventStats, PublishedEvent } from '../../emulator/index.js';
import { endpointSpec, PLURAL as ENDPOINTS } from '../endpoint/support.js';
import { role } from '../../emulator/test-harness.js';
import { OperatorHarness, TEST_TIMINGS } from '../support/operator.js';
import { drained } from '../support/queue.js';
import { foreignTrainingJob, trainingJobSpec } from '../training-job/support.js';

const TRAINING = 'trainingjobs';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
/** moto serves SQS on the same endpoint as S3. */
const sqsEndpoint = (): string => {
  const endpoint = process.env.RIG_S3_ENDPOINT;
  if (endpoint === undefined) throw new Error('RIG_S3_ENDPOINT is not set: run through jest global setup');
  return endpoint;
};
/** Short long polls and backoff, so a broken queue shows within a second or two. */
const QUEUE_TIMINGS = { waitTimeSeconds: 1, minBackoffMs: 200, maxBackoffMs: 1_000 };
/** Event (sent by the emulator) to status (seen in Kubernetes): the bound asserted. */
const PUSH_LATENCY_MS = 2_000;

let h: OperatorHarness;
let sqs: SQSClient;
const latencies: { what: string; fromChangeMs: number; fromSendMs: number }[] = [];

beforeAll(async () => {
  h = await OperatorHarness.start('push');
  sqs = new SQSClient({ endpoint: sqsEndpoint(), region: REGION, credentials });
});
afterAll(async () => {
  if (latencies.length > 0) console.info(`push latencies (ms): ${JSON.stringify(latencies)}`);
  await h.cloud.emulator.control.configure({ events: null });
  await h.stop();
  sqs.destroy();
});

const jobName = (name: string): string => `${h.namespace}-${name}`;

async function newQueue(): Promise<string> {
  const out = await sqs.send(
    new CreateQueueCommand({ QueueName: `push-${randomUUID()}`, Attributes: { VisibilityTimeout: '5' } }),
  );
  return out.QueueUrl!;
}

/** Polls `check` until it holds; fails after `timeoutMs` naming `what`. */
async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function events(): Promise<EventStats> {
  return h.cloud.emulator.control.events();
}

/** The event the emulator published for `name` reaching `status`, once its send is over. */
async function settledEvent(name: string, status: string): Promise<PublishedEvent> {
  let found: PublishedEvent | undefined;
  await until(async () => {
    found = (await events()).recent.find(
      (e) => e.name === name && e.status === status && e.outcome !== 'pending',
    );
    return found !== undefined;
  }, `the ${status} event of ${name}`);
  return found!;
}

/** The same, sent to the queue (the test fails if the send failed). */
async function sentEvent(name: string, status: string): Promise<PublishedEvent> {
  const event = await settledEvent(name, status);
  expect(event.outcome).toBe('sent');
  return event;
}

/**
 * Sweeps run at their interval (TEST_TIMINGS.sweepIntervalMs) since `from`: three Lists come within
 * seconds, where sweeps slowed by a healthy channel run once per drift interval (10 minutes here).
 */
async function sweepingAtTheirInterval(from: number): Promise<void> {
  await until(async () => (await callsSince('ListTrainingJobs', from)) >= 3, 'three sweeps', 10_000);
}

async function callsSince(operation: string, since: number, until = Infinity): Promise<number> {
  const { calls } = await h.cloud.emulator.control.calls({ operation });
  return calls.filter((c) => c.time >= since && c.time < until).length;
}

/** Every message of a queue, in the order received, until `count` have come. */
async function drain(queueUrl: string, count: number): Promise<string[]> {
  const bodies: string[] = [];
  await until(async () => {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = out.Messages ?? [];
    bodies.push(...messages.map((m) => m.Body ?? ''));
    if (messages.length > 0)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    return bodies.length >= count;
  }, `${count} messages`);
  return bodies;
}

type Json = Record<string, unknown>;

describe('the emulator publishes SageMaker state-change events', () => {
  let queueUrl: string;
  beforeAll(async () => {
    queueUrl = await newQueue();
    await h.cloud.emulator.control.configure({ events: { queueUrl, sqsEndpoint: sqsEndpoint() } });
  });
  afterAll(async () => {
    await h.cloud.emulator.control.configure({ events: null });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  });

  it('sends one EventBridge event per status and secondary-status change of a training job, in order', async () => {
    const name = `events-${randomUUID().slice(0, 8)}`;
    await foreignTrainingJob(h, name);
    await sentEvent(name, 'Completed');
    const bodies = (await drain(queueUrl, 5)).map((b) => JSON.parse(b) as Json);
    const mine = bodies.filter((b) => (b.detail as Json).TrainingJobName === name);
    expect(mine.map((b) => (b.detail as Json).SecondaryStatus)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    expect(mine.map((b) => (b.detail as Json).TrainingJobStatus)).toEqual([
      'InProgress',
      'InProgress',
      'InProgress',
      'InProgress',
      'Completed',
    ]);
    const last = mine.at(-1)!;
    const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/${name.toLowerCase()}`;
    expect(last).toMatchObject({
      version: '0',
      'detail-type': 'SageMaker Training Job State Change',
      source: 'aws.sagemaker',
      account: ACCOUNT,
      region: REGION,
      resources: [arn],
      detail: { TrainingJobName: name, TrainingJobArn: arn, Tags: { owner: 'someone-else' } },
    });
    expect(Object.keys(last).sort()).toEqual(
      ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'].sort(),
    );
    expect(last.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(new Set(mine.map((b) => b.id)).size).toBe(mine.length);
    // The detail is the Describe answer at the change, its times in epoch milliseconds in a string.
    const described = await h.cloud.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    const detail = last.detail as Json;
    expect(detail.LastModifiedTime).toMatch(/^\d{13}$/);
    expect(Number(detail.LastModifiedTime)).toBe(described.LastModifiedTime!.getTime());
    expect(Number(detail.TrainingEndTime)).toBe(described.TrainingEndTime!.getTime());
    expect(detail.ModelArtifacts).toEqual({ S3ModelArtifacts: described.ModelArtifacts!.S3ModelArtifacts });
    expect(parseStateChange(JSON.stringify(last))).toMatchObject({
      resourceType: 'TrainingJob',
      name,
      region: REGION,
      account: ACCOUNT,
      status: 'Completed',
      arn,
      detailType: 'SageMaker Training Job State Change',
    });
  });

  it('sends endpoint, processing and transform job events as documented', async () => {
    const id = randomUUID().slice(0, 8);
    const [model, config, endpoint, processing, transform] = ['m', 'c', 'e', 'p', 't'].map(
      (k) => `ev-${k}-${id}`,
    );
    const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';
    await h.cloud.sagemaker.send(
      new CreateModelCommand({
        ModelName: model,
        ExecutionRoleArn: role,
        PrimaryContainer: { Image: image },
      }),
    );
    await h.cloud.sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: config,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: model,
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
          },
        ],
      }),
    );
    await h.cloud.sagemaker.send(
      new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: config }),
    );
    await h.cloud.sagemaker.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: processing,
        RoleArn: role,
        AppSpecification: { ImageUri: image },
        ProcessingResources: {
          ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 5 },
        },
      }),
    );
    await h.cloud.sagemaker.send(
      new CreateTransformJobCommand({
        TransformJobName: transform,
        ModelName: model,
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${h.cloud.bucket}/none/` } },
        },
        TransformOutput: { S3OutputPath: `s3://${h.cloud.bucket}/transform-out` },
        TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      }),
    );
    await sentEvent(endpoint!, 'IN_SERVICE');
    await sentEvent(processing!, 'Completed');
    await sentEvent(transform!, 'Completed');
    const bodies = (await drain(queueUrl, 6)).map((b) => JSON.parse(b) as Json);
    const of = (field: string, value: string) => bodies.filter((b) => (b.detail as Json)[field] === value);

    const endpoints = of('EndpointName', endpoint!);
    expect(endpoints.map((b) => (b.detail as Json).EndpointStatus)).toEqual(['CREATING', 'IN_SERVICE']);
    expect(endpoints[1]).toMatchObject({
      'detail-type': 'SageMaker Endpoint State Change',
      resources: [`arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${endpoint!}`],
      detail: { EndpointConfigName: config, Tags: {} },
    });
    expect(typeof (endpoints[1]!.detail as Json).LastModifiedTime).toBe('number');
    expect(parseStateChange(JSON.stringify(endpoints[1]))).toMatchObject({
      resourceType: 'Endpoint',
      name: endpoint,
      status: 'IN_SERVICE',
    });

    const processings = of('ProcessingJobName', processing!);
    expect(processings.map((b) => (b.detail as Json).ProcessingJobStatus)).toEqual([
      'InProgress',
      'Completed',
    ]);
    expect(processings[1]!['detail-type']).toBe('SageMaker Processing Job State Change');
    expect((processings[1]!.detail as Json).ProcessingEndTime).toEqual(expect.any(Number));
    expect(parseStateChange(JSON.stringify(processings[1]))).toMatchObject({
      resourceType: 'ProcessingJob',
      name: processing,
      status: 'Completed',
    });

    const transforms = of('TransformJobName', transform!);
    expect(transforms.map((b) => (b.detail as Json).TransformJobStatus)).toEqual(['InProgress', 'Completed']);
    expect(transforms[1]!['detail-type']).toBe('SageMaker Transform Job State Change');
    expect((transforms[1]!.detail as Json).TransformEndTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(parseStateChange(JSON.stringify(transforms[1]))).toMatchObject({
      resourceType: 'TransformJob',
      name: transform,
      status: 'Completed',
    });
  });

  it('counts failed sends and goes on answering', async () => {
    const before = await events();
    await h.cloud.emulator.control.configure({
      events: {
        queueUrl: `${sqsEndpoint()}/${ACCOUNT}/no-such-queue-${randomUUID()}`,
        sqsEndpoint: sqsEndpoint(),
      },
    });
    try {
      const name = `events-broken-${randomUUID().slice(0, 8)}`;
      await foreignTrainingJob(h, name);
      const failed = await settledEvent(name, 'Completed');
      expect(failed.outcome).toBe('failed');
      const after = await events();
      expect(after.failed - before.failed).toBeGreaterThanOrEqual(5);
      expect(after.lastError).toBeDefined();
      const described = await h.cloud.sagemaker.send(
        new DescribeTrainingJobCommand({ TrainingJobName: name }),
      );
      expect(described.TrainingJobStatus).toBe('Completed');
    } finally {
      await h.cloud.emulator.control.configure({ events: { queueUrl, sqsEndpoint: sqsEndpoint() } });
    }
  });
});

describe('the operator with a push channel', () => {
  let queueUrl: string;
  let push: StateChangeQueue;
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

  /** Restarts the operator consuming `url`. */
  async function restartWith(url: string): Promise<StateChangeQueue> {
    await h.stopOperator();
    const queue = new StateChangeQueue(sqs, url, log, QUEUE_TIMINGS);
    await h.startOperator(undefined, undefined, queue);
    return queue;
  }

  beforeAll(async () => {
    queueUrl = await newQueue();
    await h.cloud.emulator.control.configure({ events: { queueUrl, sqsEndpoint: sqsEndpoint() } });
    push = await restartWith(queueUrl);
    await until(() => push.healthy(), 'the push channel to be healthy');
    // Pushed events stand for the sweeps of a region once one has come from it: from the first test on.
    const name = `foreign-first-${randomUUID().slice(0, 8)}`;
    await foreignTrainingJob(h, name);
    await sentEvent(name, 'InProgress');
    await consumed();
  });

  async function consumed(): Promise<void> {
    await until(() => drained(sqs, queueUrl), 'the operator to consume the events sent');
  }
  afterAll(async () => {
    await h.cloud.emulator.control.configure({ events: null, timings: { trainingTraining: 100 } });
    await h.stopOperator();
    await h.startOperator();
  });

  /** Waits for `check`, then records how long after the emulator's event the status showed it. */
  async function measured(
    plural: string,
    name: string,
    sageMakerName: string,
    eventStatus: string,
    check: (o: { status?: Record<string, unknown> } | undefined) => boolean,
  ): Promise<void> {
    await h.waitFor<unknown, Record<string, unknown>>(plural, name, check);
    const seenAt = Date.now();
    const event = await sentEvent(sageMakerName, eventStatus);
    const entry = {
      what: `${plural}/${name} ${eventStatus}`,
      fromChangeMs: seenAt - event.changedAt,
      fromSendMs: seenAt - event.sentAt!,
    };
    latencies.push(entry);
    expect(entry.fromSendMs).toBeLessThan(PUSH_LATENCY_MS);
  }

  it('a training job’s completion reaches its status at once, with no sweep during the run', async () => {
    // Sweeps would run every TEST_TIMINGS.sweepIntervalMs while the job changes; with a healthy
    // channel that has delivered this region's events they run at the drift interval (10 minutes
    // here), so only the first one runs.
    expect(TEST_TIMINGS.sweepIntervalMs).toBeLessThanOrEqual(100);
    expect(TEST_TIMINGS.driftIntervalMs).toBeGreaterThanOrEqual(600_000);
    await h.cloud.emulator.control.configure({ timings: { trainingTraining: 1_000 } });
    const since = Date.now();
    await h.create(TRAINING, 'TrainingJob', 'pushed', trainingJobSpec(h));
    await measured(
      TRAINING,
      'pushed',
      jobName('pushed'),
      'Completed',
      (o) => o?.status?.trainingJobStatus === 'Completed',
    );
    expect(push.healthy()).toBe(true);
    // The run lasted over a second: sweeps at their interval would have listed about ten times.
    const started = (await sentEvent(jobName('pushed'), 'InProgress')).changedAt;
    const ended = (await sentEvent(jobName('pushed'), 'Completed')).changedAt;
    expect(ended - started).toBeGreaterThanOrEqual(1_000);
    expect(await callsSince('ListTrainingJobs', since)).toBeLessThanOrEqual(1);
    // Each pushed change cost about one describe (plus the create's own few).
    const describes = await h.cloud.emulator.control.calls({
      operation: 'DescribeTrainingJob',
      resource: jobName('pushed'),
    });
    expect(describes.calls.length).toBeLessThanOrEqual(12);
  });

  it('an endpoint’s InService reaches its status at once, with no sweep while it is created', async () => {
    const since = Date.now();
    await h.create(ENDPOINTS, 'Endpoint', 'pushed', endpointSpec(h));
    let endpointName: string | undefined;
    await h.waitFor<EndpointSpec, EndpointStatus>(ENDPOINTS, 'pushed', (o) => {
      endpointName = o?.status?.endpointName;
      return endpointName !== undefined;
    });
    await measured(
      ENDPOINTS,
      'pushed',
      endpointName!,
      'IN_SERVICE',
      (o) => o?.status?.endpointStatus === 'InService',
    );
    expect(push.healthy()).toBe(true);
    expect(await callsSince('ListEndpoints', since)).toBeLessThanOrEqual(1);
  });

  it('an event for a foreign resource costs no describe', async () => {
    const name = `foreign-push-${randomUUID().slice(0, 8)}`;
    await foreignTrainingJob(h, name);
    await sentEvent(name, 'Completed');
    await consumed();
    const describes = await h.cloud.emulator.control.calls({
      operation: 'DescribeTrainingJob',
      resource: name,
    });
    expect(describes.calls).toEqual([]);
    expect(push.healthy()).toBe(true);
  });

  it('a queue deleted mid-run falls back to sweeps at their interval, and the job still completes', async () => {
    await h.cloud.emulator.control.configure({ timings: { trainingTraining: 10_000 } });
    await h.create(TRAINING, 'TrainingJob', 'fallback', trainingJobSpec(h));
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      TRAINING,
      'fallback',
      (o) => o?.status?.secondaryStatus === 'Training',
    );
    expect(push.healthy()).toBe(true);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await until(() => !push.healthy(), 'the push channel to notice the deleted queue', 10_000);
    const from = Date.now();
    await sweepingAtTheirInterval(from);
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      TRAINING,
      'fallback',
      (o) => o?.status?.trainingJobStatus === 'Completed',
      30_000,
    );
    expect(job?.status?.secondaryStatus).toBe('Completed');
    // The emulator could not deliver the job's later events, and went on answering.
    expect((await settledEvent(jobName('fallback'), 'Completed')).outcome).toBe('failed');
    expect((await events()).failed).toBeGreaterThan(0);
  });

  it('a queue that does not exist: sweeps at their interval from the start, and a job completes', async () => {
    const missing = `${sqsEndpoint()}/${ACCOUNT}/no-such-queue-${randomUUID()}`;
    await h.cloud.emulator.control.configure({ events: null, timings: { trainingTraining: 3_000 } });
    push = await restartWith(missing);
    await h.create(TRAINING, 'TrainingJob', 'unpushed', trainingJobSpec(h));
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      TRAINING,
      'unpushed',
      (o) => o?.status?.secondaryStatus === 'Training',
    );
    expect(push.healthy()).toBe(false);
    const from = Date.now();
    await sweepingAtTheirInterval(from);
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      TRAINING,
      'unpushed',
      (o) => o?.status?.trainingJobStatus === 'Completed',
      30_000,
    );
  });
});

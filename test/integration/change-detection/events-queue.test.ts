import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { StateChangeQueue, type StateChange } from '../../../src/aws/state-change-events.js';

/*
 * StateChangeQueue against moto's SQS (moto's server answers every service on the rig's one
 * endpoint). The bodies are EventBridge events in the shape of AWS's documented examples (see
 * src/aws/state-change-events.ts), with the detail fields the parser reads.
 */

const endpoint = process.env.RIG_S3_ENDPOINT;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
/** Short long polls and backoff, so the tests see a few cycles in seconds. */
const TIMINGS = { waitTimeSeconds: 1, minBackoffMs: 200, maxBackoffMs: 1_000 };

function event(detailType: string, arnType: string, detail: Record<string, unknown>, name: string): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.sagemaker',
    account: ACCOUNT,
    time: '2024-01-03T22:25:46Z',
    region: REGION,
    resources: [`arn:aws:sagemaker:${REGION}:${ACCOUNT}:${arnType}/${name}`],
    detail,
  });
}

const trainingJob = (name: string): string =>
  event(
    'SageMaker Training Job State Change',
    'training-job',
    {
      TrainingJobName: name,
      TrainingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/${name}`,
      TrainingJobStatus: 'Completed',
      SecondaryStatus: 'Completed',
      CreationTime: '1583831889050',
      LastModifiedTime: '1583831889050',
      Tags: {},
    },
    name,
  );

const endpointEvent = (name: string): string =>
  event(
    'SageMaker Endpoint State Change',
    'endpoint',
    {
      EndpointName: name,
      EndpointArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${name}`,
      EndpointConfigName: `${name}-config`,
      EndpointStatus: 'IN_SERVICE',
      CreationTime: 1592411992203.0,
      LastModifiedTime: 1592411994287.0,
      Tags: {},
    },
    name,
  );

const processingJob = (name: string): string =>
  event(
    'SageMaker Processing Job State Change',
    'processing-job',
    {
      ProcessingJobName: name,
      ProcessingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:processing-job/${name}`,
      ProcessingJobStatus: 'Failed',
      FailureReason: 'InternalServerError: We encountered an internal error.  Please try again.',
      LastModifiedTime: 1704320746000,
      CreationTime: 1704320199000,
    },
    name,
  );

const tuningJob = (name: string): string =>
  event(
    'SageMaker HyperParameter Tuning Job State Change',
    'hyper-parameter-tuning-job',
    { HyperParameterTuningJobName: name, HyperParameterTuningJobStatus: 'Completed', Tags: {} },
    name,
  );

/** Polls `check` until it holds (or fails after `timeoutMs`). */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A pino logger whose JSON lines are kept for assertions. */
function capturedLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

let sqs: SQSClient;
/** ReceiveMessage calls sent through `sqs`, counted by a middleware. */
let receives = 0;

beforeAll(() => {
  if (endpoint === undefined) throw new Error('RIG_S3_ENDPOINT is not set: run through jest global setup');
  sqs = new SQSClient({ endpoint, region: REGION, credentials });
  sqs.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'ReceiveMessageCommand') receives++;
      return next(args);
    },
    { step: 'initialize', name: 'countReceives' },
  );
});

afterAll(() => {
  sqs.destroy();
});

async function createQueue(): Promise<string> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: `events-${randomUUID()}` }));
  return created.QueueUrl!;
}

/** Messages still in the queue, visible or in flight (a message received and not deleted is in flight). */
async function messagesLeft(queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 'NaN') +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 'NaN')
  );
}

/** Starts the queue; `stop()` aborts it and says how long `run` took to return. */
function start(queue: StateChangeQueue, onChange: (change: StateChange) => void) {
  const controller = new AbortController();
  const done = queue.run(onChange, controller.signal);
  return {
    stop: async (): Promise<number> => {
      const aborted = performance.now();
      controller.abort();
      await done;
      return performance.now() - aborted;
    },
  };
}

describe('StateChangeQueue on moto SQS', () => {
  it('hands documented events to the callback within seconds, deletes them, and deletes and skips the rest', async () => {
    const queueUrl = await createQueue();
    const { logger, lines } = capturedLogger();
    const queue = new StateChangeQueue(sqs, queueUrl, logger, TIMINGS);
    const seen: StateChange[] = [];
    const running = start(queue, (change) => {
      seen.push(change);
    });
    await until(() => queue.healthy(), 'the queue to be healthy');

    const sentAt = performance.now();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: '1', MessageBody: trainingJob('tj-1') },
          { Id: '2', MessageBody: endpointEvent('ep-1') },
          { Id: '3', MessageBody: processingJob('pj-1') },
          { Id: '4', MessageBody: 'this is not an event' },
          { Id: '5', MessageBody: 'nor is this' },
          { Id: '6', MessageBody: tuningJob('hpo-1') },
        ],
      }),
    );
    await until(() => seen.length >= 3, 'three state changes', 3_000);
    expect(performance.now() - sentAt).toBeLessThan(3_000);
    expect(seen.map((c) => [c.resourceType, c.name, c.region, c.account]).sort()).toEqual([
      ['Endpoint', 'ep-1', REGION, ACCOUNT],
      ['ProcessingJob', 'pj-1', REGION, ACCOUNT],
      ['TrainingJob', 'tj-1', REGION, ACCOUNT],
    ]);

    // Everything is deleted, the unreadable messages too (one not deleted would stay in flight).
    await until(async () => (await messagesLeft(queueUrl)) === 0, 'the queue to be empty', 3_000);
    expect(queue.healthy()).toBe(true);

    // Unreadable messages are reported once per detail-type at warn.
    const warned = lines.filter((l) => l.level === 40 && typeof l.detailType === 'string');
    expect(warned.map((l) => l.detailType).sort()).toEqual([
      '(no detail-type)',
      'SageMaker HyperParameter Tuning Job State Change',
    ]);

    expect(await running.stop()).toBeLessThan(1_000);
    expect(seen).toHaveLength(3);
    expect(queue.healthy()).toBe(false);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  });

  it('turns unhealthy when its queue is deleted, retries with backoff, not in a hot loop, and stops at once', async () => {
    const queueUrl = await createQueue();
    const queue = new StateChangeQueue(sqs, queueUrl, pino({ level: 'silent' }), TIMINGS);
    const running = start(queue, () => undefined);
    await until(() => queue.healthy(), 'the queue to be healthy');

    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    // The long poll in flight ends within its wait time; the next receive fails.
    await until(() => !queue.healthy(), 'the queue to turn unhealthy', 4_000);

    const before = receives;
    const windowMs = 2_000;
    await new Promise((resolve) => setTimeout(resolve, windowMs)); // a measuring window, not a synchronization
    const calls = receives - before;
    // Backoff starts at 200 ms and doubles up to 1 s: a handful of calls, never hundreds.
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(windowMs / TIMINGS.minBackoffMs);
    expect(queue.healthy()).toBe(false);

    expect(await running.stop()).toBeLessThan(500);
  });

  it('is never healthy on a queue URL that does not exist', async () => {
    const queueUrl = `${endpoint}/${ACCOUNT}/events-missing-${randomUUID()}`;
    const queue = new StateChangeQueue(sqs, queueUrl, pino({ level: 'silent' }), TIMINGS);
    const before = receives;
    const running = start(queue, () => undefined);
    const health: boolean[] = [];
    const sampler = setInterval(() => health.push(queue.healthy()), 50);
    await until(() => receives - before >= 3, 'three attempts', 5_000);
    clearInterval(sampler);
    expect(health.every((h) => !h)).toBe(true);
    expect(await running.stop()).toBeLessThan(500);
  });

  it('stops promptly when aborted in the middle of a long poll', async () => {
    const queueUrl = await createQueue();
    const queue = new StateChangeQueue(sqs, queueUrl, pino({ level: 'silent' }), {
      ...TIMINGS,
      waitTimeSeconds: 20,
    });
    const before = receives;
    const running = start(queue, () => undefined);
    // The second receive is the first long poll (20 s against an empty queue).
    await until(() => receives - before >= 2, 'the first long poll');
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the request reach moto
    expect(await running.stop()).toBeLessThan(500);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  });
});

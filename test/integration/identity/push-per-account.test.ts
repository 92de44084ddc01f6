/*
 * Pushed events and the sweeps of two tenants in one region: EventBridge rules are per account and
 * region, so events from one account stand for that account's sweeps only; and an account whose
 * events stop is swept at its normal pace again once a drift interval passes without one. The
 * emulator is one account (123456789012) and its events name it: tenant A's role is in that account,
 * tenant B's in another.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { StateChangeQueue } from '../../../src/aws/state-change-events.js';
import { ROLE_ANNOTATION } from '../../../src/controllers/common/identity.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { annotateNamespace, s3Endpoint } from '../support/cluster.js';
import { createIn, waitIn } from '../support/namespaced.js';
import { OperatorHarness, REGION, type KubeObjectOf } from '../support/operator.js';
import { drained } from '../support/queue.js';
import { trainingJobSpec } from '../training-job/support.js';

type Job = KubeObjectOf<TrainingJobSpec, TrainingJobStatus>;
const PLURAL = 'trainingjobs';
/** The emulator's account: its events name it. */
const TENANT_A = 'arn:aws:iam::123456789012:role/tenant-a';
const TENANT_B = 'arn:aws:iam::222222222222:role/tenant-b';
const QUEUE_TIMINGS = { waitTimeSeconds: 1, minBackoffMs: 200, maxBackoffMs: 1_000 };
/** The rate measurement's window, while sweeps are expected at TEST_TIMINGS.sweepIntervalMs. */
const WINDOW_MS = 1_000;
/** The drift interval of the test of events that stop: long beside the sweep interval, short for a test. */
const SHORT_DRIFT_MS = 2_000;

let h: OperatorHarness;
let other: string;
let sqs: SQSClient;
let queueUrl: string;
let push: StateChangeQueue;
const rates: Record<string, number> = {};

const principalA = (): string => `arn:aws:sts::123456789012:assumed-role/tenant-a/${h.namespace}`;
const principalB = (): string => `arn:aws:sts::222222222222:assumed-role/tenant-b/${other}`;

beforeAll(async () => {
  h = await OperatorHarness.start('push-a');
  await annotateNamespace(h.kc, h.namespace, { [ROLE_ANNOTATION]: TENANT_A });
  other = await h.addNamespace('push-b', { [ROLE_ANNOTATION]: TENANT_B });
  sqs = new SQSClient({
    endpoint: s3Endpoint(),
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: `push-${randomUUID()}`, Attributes: { VisibilityTimeout: '5' } }),
  );
  queueUrl = created.QueueUrl!;
  await h.cloud.emulator.control.configure({
    events: { queueUrl, sqsEndpoint: s3Endpoint() },
    timings: { trainingTraining: 10_000_000 },
  });
});
afterAll(async () => {
  console.info(`ListTrainingJobs per second and tenant: ${JSON.stringify(rates)}`);
  await h.cloud.emulator.control.configure({ events: null });
  await h.stop();
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  sqs.destroy();
});

/** Restarts the operator consuming the queue, with `driftIntervalMs`. */
async function restartWithPush(driftIntervalMs?: number): Promise<void> {
  await h.stopOperator();
  push = new StateChangeQueue(sqs, queueUrl, pino({ level: 'silent' }), QUEUE_TIMINGS);
  await h.startOperator(driftIntervalMs, undefined, push);
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function consumed(): Promise<void> {
  await until(() => drained(sqs, queueUrl), 'the operator to consume the events sent');
}

/** Creates a TrainingJob in `namespace` and waits until it is training (its events sent). */
async function training(namespace: string, name: string): Promise<void> {
  await createIn(h.kc, namespace, PLURAL, 'TrainingJob', name, trainingJobSpec(h));
  await waitIn<Job>(h.kc, namespace, PLURAL, name, (job) => job.status?.secondaryStatus === 'Training');
  await until(
    async () =>
      (await h.cloud.emulator.control.events()).recent.some(
        (e) => e.name === `${namespace}-${name}` && e.status === 'InProgress' && e.outcome === 'sent',
      ),
    `the events of ${namespace}/${name}`,
  );
}

/** The ListTrainingJobs calls each tenant made, at the times of the emulator's call log. */
async function sweepsOf(principal: string): Promise<number[]> {
  const { calls } = await h.cloud.emulator.control.calls({ operation: 'ListTrainingJobs' });
  return calls.filter((c) => c.principal === principal).map((c) => c.time);
}

const within = (times: number[], from: number, to: number): number =>
  times.filter((t) => t >= from && t < to).length;

describe('pushed events and two accounts in one region', () => {
  it("slow the sweeps of the account they come from, not another account's", async () => {
    await restartWithPush();
    await until(() => push.healthy(), 'the push channel to be healthy');
    await training(h.namespace, 'a');
    await training(other, 'b');
    await consumed();
    // B's sweeps run at their interval (TEST_TIMINGS.sweepIntervalMs) while its job trains: three come
    // within seconds. A's, slowed by its events, run once per drift interval (10 minutes here).
    const from = Date.now();
    await until(
      async () => within(await sweepsOf(principalB()), from, Infinity) >= 3,
      "B's sweeps at their interval",
      10_000,
    );
    const to = Date.now();
    const [a, b] = [
      within(await sweepsOf(principalA()), from, to),
      within(await sweepsOf(principalB()), from, to),
    ];
    rates['A, its events arriving'] = a / ((to - from) / 1000);
    rates['B, no events of its account'] = b / ((to - from) / 1000);
    expect(push.healthy()).toBe(true);
    expect(a).toBeLessThanOrEqual(1);
  });

  it('sweep an account at its normal pace again once a drift interval passes without its events', async () => {
    await restartWithPush(SHORT_DRIFT_MS);
    await until(() => push.healthy(), 'the push channel to be healthy');
    await training(h.namespace, 'quiet');
    await consumed();
    const covered = Date.now();
    // When SageMaker's last change happened: its event reached the operator after it.
    const lastEvent = Math.max(...(await h.cloud.emulator.control.events()).recent.map((e) => e.changedAt));
    // Three sweeps of A less than 300 ms apart: the sweep interval's pace (100 ms), not the drift
    // interval's (2 s); the second is one the fast pace made.
    let fastAgainFrom: number | undefined;
    await until(
      async () => {
        const times = await sweepsOf(principalA());
        const close = (i: number): boolean => (times[i + 1] ?? Infinity) - times[i]! < 300;
        const i = times.findIndex((t, i) => t > covered && close(i) && close(i + 1));
        fastAgainFrom = times[i + 1];
        return i >= 0;
      },
      "A's sweeps at the sweep interval again",
      3 * SHORT_DRIFT_MS + 10_000,
    );
    expect(push.healthy()).toBe(true);
    expect(fastAgainFrom! - lastEvent).toBeGreaterThanOrEqual(SHORT_DRIFT_MS);
    const to = fastAgainFrom! + WINDOW_MS;
    await new Promise((resolve) => setTimeout(resolve, to - Date.now())); // the rest of a measurement window
    rates['A, a drift interval after its last event'] =
      within(await sweepsOf(principalA()), fastAgainFrom!, to) / (WINDOW_MS / 1000);
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { AwsClients, type AwsTimeouts } from '../../../src/aws/clients.js';
import { classifyError } from '../../../src/controllers/common/errors.js';
import { SPEC_CHANGE_REASONS } from '../../../src/controllers/common/reasons.js';
import { descriptorOf } from '../../../src/crds/kind.js';
import { sageMakerControllers } from '../../../src/controllers/index.js';
import { trainingJob } from '../../../src/crds/training-job.js';
import { ActingFence, RuntimeMetrics, startOperator, type Operator } from '../../../src/runtime/index.js';
import { createTestNamespace, s3Endpoint, testKubeConfig } from '../support/cluster.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';
import { CLUSTER_NAME, REGION, SLOW_RETRY_MS, TEST_TIMINGS, condition } from '../support/operator.js';
import { unacceptingListener } from '../../rig/unaccepting-listener.js';
import { spawnOperator, type Replica } from './replica.js';
import { Objects, testLogger, waitFor } from './support.js';

/*
 * Nothing hangs: the operator's SageMaker endpoint never answers. Every request
 * and connection has a timeout, each reconcile has a deadline that frees its worker, and a graceful
 * shutdown keeps to its timeout while requests hang. The operator runs in-process with the real
 * TrainingJob controller and AwsClients, whose timeouts have no flag, so they can be short here.
 */
const SHUTDOWN_TIMEOUT_MS = 1_000;
const HANGING_MS = 120_000;

interface SeenRequest {
  target: string;
  job: string | undefined;
}

/** A TCP server that accepts connections, reads the requests and never writes a byte. */
class SilentServer {
  readonly requests: SeenRequest[] = [];
  readonly open = new Set<Socket>();
  private readonly server = createServer((socket) => {
    this.open.add(socket);
    let text = '';
    let seen = false;
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const target = /x-amz-target: *([^\r\n]+)/i.exec(text)?.[1];
      const job = /"TrainingJobName":"([^"]+)"/.exec(text)?.[1];
      if (!seen && target && job) {
        seen = true;
        this.requests.push({ target: target.replace(/^SageMaker\./, ''), job });
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.open.delete(socket));
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}`;
  }

  count(target: string, job: string): number {
    return this.requests.filter((r) => r.target === target && r.job === job).length;
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

interface Running {
  operator?: Operator;
  kc: KubeConfig;
  jobs: Objects;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function runOperator(options: {
  prefix: string;
  endpoint: string;
  timeouts: AwsTimeouts;
  reconcileTimeoutMs?: number;
  concurrency?: number;
}): Promise<Running> {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  const kc = testKubeConfig();
  const namespace = await createTestNamespace(kc, options.prefix);
  const metrics = new RuntimeMetrics();
  const fence = new ActingFence();
  const aws = new AwsClients({
    defaultRegion: REGION,
    maxApiRate: 1000,
    registry: metrics.registry,
    sagemakerEndpoint: options.endpoint,
    s3Endpoint: s3Endpoint(),
    stsEndpoint: s3Endpoint(),
    mayCall: () => fence.mayAct(),
    timeouts: options.timeouts,
  });
  const operator = await startOperator({
    name: 'sagemaker-operator',
    // Describes only: this file counts each job's calls to a SageMaker that stops answering.
    controllers: sageMakerControllers(
      { aws, defaultRegion: REGION, clusterName: CLUSTER_NAME },
      { ...TEST_TIMINGS, sweepIntervalMs: 0 },
    ).controllers,
    log: testLogger(),
    kubeConfig: kc,
    namespaces: [namespace],
    metricsAddr: '0',
    healthAddr: '0',
    classifier: classifyError,
    specChangeReasons: SPEC_CHANGE_REASONS,
    metrics,
    fence,
    timings: { pollIntervalMs: TEST_TIMINGS.pollIntervalMaxMs, slowRetryMs: SLOW_RETRY_MS },
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
    ...(options.reconcileTimeoutMs ? { reconcileTimeoutMs: options.reconcileTimeoutMs } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
  cleanups.push(async () => {
    await operator.stop(); // returns at once when the test stopped it already
    aws.destroy();
  });
  await operator.waitForSync();
  return { operator, kc, jobs: new Objects(kc, descriptorOf(trainingJob), namespace) };
}

async function createJob(r: Running, name: string): Promise<{ sagemakerName: string; created: number }> {
  await r.jobs.create(name, MINIMAL_SPECS.TrainingJob as Record<string, never>);
  return { sagemakerName: `${r.jobs.namespace}-${name}`, created: Date.now() };
}

/** Waits until the object's Synced condition is False with `reason`; returns it and when it was seen. */
async function syncedFalse(
  r: Running,
  name: string,
  reason: string,
  timeoutMs = 30_000,
): Promise<{ message: string; seenAt: number }> {
  const synced = await waitFor(
    async () => {
      const c = condition(await r.jobs.get(name), 'Synced');
      return c?.status === 'False' && c.reason === reason ? c : undefined;
    },
    timeoutMs,
    `${name} Synced=False ${reason}`,
  );
  return { message: synced.message, seenAt: Date.now() };
}

describe('a SageMaker endpoint that never answers', () => {
  it('a silent server: the request timeout makes the object Synced=False SageMakerUnavailable, and nothing is created', async () => {
    const silent = new SilentServer();
    const endpoint = await silent.listen();
    cleanups.push(() => silent.close());
    const r = await runOperator({
      prefix: 'silent',
      endpoint,
      timeouts: { connectMs: 200, sagemakerRequestMs: 300, s3RequestMs: 300 },
    });

    const job = await createJob(r, 'silent-job');
    const synced = await syncedFalse(r, 'silent-job', 'SageMakerUnavailable');

    expect(synced.message).toContain('requestTimeout');
    // Three failed reconciles (the transient threshold), each a describe the SDK tried more than once.
    expect(silent.count('DescribeTrainingJob', job.sagemakerName)).toBeGreaterThanOrEqual(3);
    // A describe that never answered says nothing about the job: no create may follow it.
    expect(silent.count('CreateTrainingJob', job.sagemakerName)).toBe(0);
    // Every abandoned request closed its connection.
    await waitFor(() => silent.open.size <= 1, 5_000, 'abandoned connections closed');
  });

  it('a listener that never accepts: the connection timeout makes the object Synced=False SageMakerUnavailable', async () => {
    const listener = await unacceptingListener();
    cleanups.push(() => listener.close());
    const r = await runOperator({
      prefix: 'unaccepting',
      endpoint: listener.endpoint,
      timeouts: { connectMs: 200, sagemakerRequestMs: HANGING_MS, s3RequestMs: HANGING_MS },
    });

    await createJob(r, 'unaccepted-job');
    const synced = await syncedFalse(r, 'unaccepted-job', 'SageMakerUnavailable');
    expect(synced.message).toContain('did not establish a connection');
  });

  it('the reconcile deadline frees the worker: ReconcileTimeout after three attempts, and reconciles go on', async () => {
    const silent = new SilentServer();
    const endpoint = await silent.listen();
    cleanups.push(() => silent.close());
    const deadlineMs = 500;
    // One worker, and requests that would hang for two minutes: only the deadline can free it.
    const r = await runOperator({
      prefix: 'deadline',
      endpoint,
      timeouts: { connectMs: 200, sagemakerRequestMs: HANGING_MS, s3RequestMs: HANGING_MS },
      reconcileTimeoutMs: deadlineMs,
      concurrency: 1,
    });

    const first = await createJob(r, 'deadline-a');
    const second = await createJob(r, 'deadline-b');
    const a = await syncedFalse(r, 'deadline-a', 'ReconcileTimeout');
    const describesAtA = silent.count('DescribeTrainingJob', first.sagemakerName);
    await syncedFalse(r, 'deadline-b', 'ReconcileTimeout');
    const describesAtB = silent.count('DescribeTrainingJob', second.sagemakerName);

    expect(a.message).toContain(`within ${String(deadlineMs)} ms`);
    // Reported at the third abandoned attempt, not before (one hanging describe per attempt).
    expect(describesAtA).toBeGreaterThanOrEqual(3);
    expect(describesAtB).toBeGreaterThanOrEqual(3);
    // Three deadlines at least passed before the condition was written.
    expect(a.seenAt - first.created).toBeGreaterThanOrEqual(3 * deadlineMs);
    // Later reconciles still happen, for both objects, on the single worker.
    await waitFor(
      () =>
        silent.count('DescribeTrainingJob', first.sagemakerName) > describesAtA &&
        silent.count('DescribeTrainingJob', second.sagemakerName) > describesAtB,
      20_000,
      'reconciles after Synced=False ReconcileTimeout',
    );
    // Abandoned reconciles abort their requests: hanging connections do not pile up.
    expect(silent.count('CreateTrainingJob', first.sagemakerName)).toBe(0);
    await waitFor(() => silent.open.size <= 1, 5_000, 'abandoned connections closed');
  });

  it('a graceful shutdown keeps to its timeout while requests hang, and calls nothing afterwards', async () => {
    const silent = new SilentServer();
    const endpoint = await silent.listen();
    cleanups.push(() => silent.close());
    // No deadline short enough to help: only the shutdown timeout can end the hanging reconciles.
    const r = await runOperator({
      prefix: 'shutdown',
      endpoint,
      timeouts: { connectMs: 200, sagemakerRequestMs: HANGING_MS, s3RequestMs: HANGING_MS },
    });

    await createJob(r, 'hang-a');
    await createJob(r, 'hang-b');
    await waitFor(() => silent.open.size >= 2, 20_000, 'two hanging requests');

    const started = Date.now();
    await r.operator?.stop();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS - 50);
    expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 1_500);

    // The abandoned requests were aborted, not left to the two-minute timeout (nor to destroy()).
    await waitFor(() => silent.open.size === 0, 5_000, 'hanging connections closed');
    const after = silent.requests.length;
    // A retry would come within a backoff of a few ms; none may, the fence is revoked.
    await new Promise((resolve) => setTimeout(resolve, 500)); // an observation window, not a synchronisation
    expect(silent.requests.length).toBe(after);
  });
});

/**
 * The real entry point as its own process, configured by its flags only. Its AWS timeouts are the
 * defaults (connection 5 s, SageMaker request 30 s): against a silent server, a request outlives
 * both the reconcile deadline and the shutdown timeout given here.
 */
async function runProcess(
  prefix: string,
  endpoint: string,
  flags: string[],
): Promise<Running & { replica: Replica }> {
  const kc = testKubeConfig();
  const namespace = await createTestNamespace(kc, prefix);
  const replica = spawnOperator(endpoint, namespace, ['--log-level=debug', ...flags]);
  cleanups.push(async () => {
    if (replica.child.exitCode === null && replica.child.signalCode === null) {
      replica.child.kill('SIGKILL');
      await replica.exited;
    }
  });
  await waitFor(
    () => replica.logs.some((l) => l.msg === 'controllers started'),
    30_000,
    'the operator to start',
  );
  return { replica, kc, jobs: new Objects(kc, descriptorOf(trainingJob), namespace) };
}

describe('the operator process against a SageMaker endpoint that never answers', () => {
  it('--reconcile-timeout frees its only worker: both objects reach Synced=False ReconcileTimeout and are retried', async () => {
    const silent = new SilentServer();
    const endpoint = await silent.listen();
    cleanups.push(() => silent.close());
    // Describes only: a sweep's List call would hold its own connection until the SageMaker timeout.
    const p = await runProcess('deadline-process', endpoint, [
      '--reconcile-timeout=700ms',
      '--concurrency=1',
      '--sweep-interval=0s',
    ]);

    const first = await createJob(p, 'deadline-a');
    const second = await createJob(p, 'deadline-b');
    const a = await syncedFalse(p, 'deadline-a', 'ReconcileTimeout');
    await syncedFalse(p, 'deadline-b', 'ReconcileTimeout');
    expect(a.message).toContain('within 700 ms');
    const describesA = silent.count('DescribeTrainingJob', first.sagemakerName);
    const describesB = silent.count('DescribeTrainingJob', second.sagemakerName);
    expect(describesA).toBeGreaterThanOrEqual(3);
    expect(describesB).toBeGreaterThanOrEqual(3);
    await waitFor(
      () =>
        silent.count('DescribeTrainingJob', first.sagemakerName) > describesA &&
        silent.count('DescribeTrainingJob', second.sagemakerName) > describesB,
      20_000,
      'reconciles after Synced=False ReconcileTimeout',
    );
    await waitFor(() => silent.open.size <= 1, 5_000, 'abandoned connections closed');
  });

  it('SIGTERM while requests hang: the process exits 0 within --shutdown-timeout', async () => {
    const silent = new SilentServer();
    const endpoint = await silent.listen();
    cleanups.push(() => silent.close());
    // The reconcile deadline (5 min by default) cannot help; only the shutdown timeout can.
    const p = await runProcess('shutdown-process', endpoint, ['--shutdown-timeout=1500ms']);

    await createJob(p, 'hang-a');
    await createJob(p, 'hang-b');
    await waitFor(() => silent.open.size >= 2, 20_000, 'two hanging requests');

    const started = Date.now();
    p.replica.child.kill('SIGTERM');
    const code = await p.replica.exited;
    const took = Date.now() - started;
    expect(code).toBe(0);
    expect(p.replica.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['aborting in-flight reconciles', 'stopped']),
    );
    expect(took).toBeGreaterThanOrEqual(1_500 - 50);
    expect(took).toBeLessThan(1_500 + 2_000);
    await waitFor(() => silent.open.size === 0, 5_000, 'hanging connections closed');
  });
});

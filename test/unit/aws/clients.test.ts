import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { DescribeMonitoringScheduleCommand, DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { Registry } from 'prom-client';
import { AwsClients, CallRefused, type AwsClientOptions } from '../../../src/aws/clients.js';
import { unacceptingListener } from '../../rig/unaccepting-listener.js';
import { classifyAwsError } from '../../../src/aws/errors.js';
import { currentLane, inLane } from '../../../src/runtime/queue.js';

// A stand-in SageMaker endpoint speaking the JSON wire protocol: it throttles the first N calls.
let server: Server;
let endpoint: string;
let throttleNext = 0;
/** Answers the next calls with a load balancer's page instead of SageMaker's JSON. */
let htmlNext = 0;
const targets: string[] = [];
let connections = 0;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  server = createServer((req, res) => {
    targets.push(String(req.headers['x-amz-target']));
    req.resume();
    req.on('end', () => {
      if (htmlNext > 0) {
        htmlNext--;
        res.setHeader('content-type', 'text/html');
        res.statusCode = 500;
        res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
        return;
      }
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (throttleNext > 0) {
        throttleNext--;
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      } else {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ValidationException', message: 'Requested resource not found' }));
      }
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Clients of the stand-in endpoint at `sagemakerEndpoint`, with `options` added. */
function standIn(sagemakerEndpoint: string, options: Partial<AwsClientOptions> = {}): AwsClients {
  return new AwsClients({
    defaultRegion: 'us-east-1',
    sagemakerEndpoint,
    maxApiRate: 50,
    registry: new Registry(),
    ...options,
  });
}

describe('AwsClients', () => {
  it('shares one client and one limiter per region, and honours the endpoint override', async () => {
    const clients = standIn(endpoint);
    expect(clients.sagemaker()).toBe(clients.sagemaker({ region: 'us-east-1' }));
    expect(clients.sagemaker({ region: 'eu-west-1' })).not.toBe(clients.sagemaker());
    const role = { region: 'us-east-1', roleArn: 'arn:aws:iam::111111111111:role/a', sessionName: 'a' };
    expect(clients.sagemaker(role)).not.toBe(clients.sagemaker());
    expect(clients.sagemaker(role)).toBe(clients.sagemaker({ ...role }));
    expect(clients.limiter('eu-west-1')).not.toBe(clients.limiter());
    const err = await clients
      .sagemaker()
      .send(new DescribeTrainingJobCommand({ TrainingJobName: 'x' }))
      .catch((e: unknown) => e);
    expect(classifyAwsError(err)).toMatchObject({ errorClass: 'notFound' });
    expect(targets.at(-1)).toBe('SageMaker.DescribeTrainingJob');
    clients.destroy();
  });

  it('slows the shared limiter down on throttling and counts calls per operation', async () => {
    const registry = new Registry();
    const clients = standIn(endpoint, { registry });
    throttleNext = 2;
    const before = targets.length;
    await clients
      .sagemaker()
      .send(new DescribeTrainingJobCommand({ TrainingJobName: 'x' }))
      .catch(() => undefined);
    // Two throttled attempts retried by the SDK, then the final answer: all three passed the limiter.
    expect(targets.length - before).toBe(3);
    expect(clients.limiter().rate).toBeLessThan(50 / 2);
    const text = await registry.metrics();
    expect(text).toContain('aws_api_requests_total{service="sagemaker",operation="DescribeTrainingJob"} 1');
    expect(text).toContain('aws_api_throttled_total{service="sagemaker",operation="DescribeTrainingJob"} 2');
    expect(text).toContain(
      'aws_api_errors_total{service="sagemaker",operation="DescribeTrainingJob",error="ValidationException"} 1',
    );
    expect(text).toMatch(/aws_api_rate_limit\{region="us-east-1"\} \d/);
    expect(text).toContain('aws_api_rate_limit_waiting{region="us-east-1",priority="urgent"} 0');
    clients.destroy();
  });
});

describe('AwsClients answers', () => {
  it('reports a 5xx whose body is not JSON as what came back, not as a parse error', async () => {
    const clients = standIn(endpoint);
    htmlNext = 10;
    const err = await clients
      .sagemaker()
      .send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: 'x' }))
      .catch((e: unknown) => e);
    htmlNext = 0;
    expect(classifyAwsError(err)).toEqual({
      errorClass: 'transient',
      message: 'SageMaker answered HTTP 500 to DescribeMonitoringSchedule',
    });
    clients.destroy();
  });
});

/** A TCP server that accepts connections, reads what comes and never writes a byte. */
async function silentServer(): Promise<{ endpoint: string; sockets: Set<Socket>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const silent = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    },
  };
}

function describeJob(clients: AwsClients, abortSignal?: AbortSignal): Promise<unknown> {
  return clients
    .sagemaker()
    .send(new DescribeTrainingJobCommand({ TrainingJobName: 'x' }), abortSignal ? { abortSignal } : {})
    .then(
      () => undefined,
      (err: unknown) => err,
    );
}

describe('AwsClients fence', () => {
  it('refuses a request mayCall declines before anything reaches the server', async () => {
    let allowed = true;
    const clients = standIn(endpoint, { mayCall: () => allowed });
    const beforeAllowed = targets.length;
    expect(classifyAwsError(await describeJob(clients))).toMatchObject({ errorClass: 'notFound' });
    expect(targets.length - beforeAllowed).toBe(1);

    allowed = false;
    const requests = targets.length;
    const opened = connections;
    const err = await describeJob(clients);
    expect(err).toBeInstanceOf(CallRefused);
    // Not retried by the SDK and not classified as an AWS answer: the loop's fallback applies.
    expect(classifyAwsError(err)).toBeUndefined();
    expect(targets.length).toBe(requests);
    expect(connections).toBe(opened);
    clients.destroy();
  });
});

describe('AwsClients request check', () => {
  it('hands every SageMaker request to the check first: a refused one is not sent, measured or retried', async () => {
    const registry = new Registry();
    const clients = standIn(endpoint, { registry });
    const client = clients.sagemaker();
    const seen: [string, unknown][] = [];
    clients.checkSageMakerRequests((operation, input) => {
      seen.push([operation, input]);
      throw new Error('refused');
    });
    const requests = targets.length;
    expect(await describeJob(clients)).toEqual(new Error('refused'));
    expect(seen).toEqual([['DescribeTrainingJob', { TrainingJobName: 'x' }]]);
    expect(clients.sagemaker()).toBe(client);
    expect(targets.length).toBe(requests);
    expect(await registry.metrics()).not.toContain('operation="DescribeTrainingJob"');
    clients.destroy();
  });
});

describe('AwsClients timeouts', () => {
  const REQUEST_MS = 300;
  const CONNECT_MS = 200;

  it('abandons every attempt at a silent server after the request timeout', async () => {
    const silent = await silentServer();
    const clients = standIn(silent.endpoint, {
      timeouts: { connectMs: CONNECT_MS, sagemakerRequestMs: REQUEST_MS },
    });
    const started = Date.now();
    const err = await describeJob(clients);
    const elapsed = Date.now() - started;
    const { attempts, totalRetryDelay } = (
      err as { $metadata: { attempts: number; totalRetryDelay: number } }
    ).$metadata;
    expect(err).toMatchObject({ name: 'TimeoutError' });
    expect(classifyAwsError(err)).toMatchObject({ errorClass: 'transient' });
    expect(attempts).toBeGreaterThanOrEqual(1);
    // Each attempt lasted its timeout and not much longer.
    expect(elapsed).toBeGreaterThanOrEqual(attempts * REQUEST_MS - 50);
    expect(elapsed).toBeLessThan(attempts * REQUEST_MS + totalRetryDelay + 500);
    clients.destroy();
    await silent.close();
  });

  it('gives up a connection that is never accepted after the connection timeout', async () => {
    const listener = await unacceptingListener();
    try {
      const clients = standIn(listener.endpoint, {
        timeouts: { connectMs: CONNECT_MS, sagemakerRequestMs: 60_000 },
      });
      const started = Date.now();
      const err = await describeJob(clients);
      const elapsed = Date.now() - started;
      const { attempts, totalRetryDelay } = (
        err as { $metadata: { attempts: number; totalRetryDelay: number } }
      ).$metadata;
      expect(err).toMatchObject({ name: 'TimeoutError' });
      expect((err as Error).message).toContain('did not establish a connection');
      expect(classifyAwsError(err)).toMatchObject({ errorClass: 'transient' });
      expect(elapsed).toBeGreaterThanOrEqual(attempts * CONNECT_MS - 50);
      expect(elapsed).toBeLessThan(attempts * CONNECT_MS + totalRetryDelay + 500);
      clients.destroy();
    } finally {
      await listener.close();
    }
  });

  it("aborts a hanging request when the call's signal fires, and closes its connection", async () => {
    const silent = await silentServer();
    const clients = standIn(silent.endpoint, {
      timeouts: { connectMs: CONNECT_MS, sagemakerRequestMs: 60_000 },
    });
    const abort = new AbortController();
    const call = describeJob(clients, abort.signal);
    await waitUntil(() => silent.sockets.size > 0);
    const started = Date.now();
    abort.abort();
    expect(await call).toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(500);
    await waitUntil(() => silent.sockets.size === 0);
    clients.destroy();
    await silent.close();
  });

  it('serves a waiting call made in the urgent lane before normal ones that waited longer', async () => {
    const clients = standIn(endpoint, { maxApiRate: 5, callPriority: currentLane });
    for (let i = 0; i < 5; i++) await clients.limiter().acquire(); // the burst is spent
    const answered: string[] = [];
    const call = (label: string): Promise<void> =>
      describeJob(clients).then(() => {
        answered.push(label);
      });
    const calls = [
      call('normal'),
      inLane('normal', () => call('normal')),
      inLane('urgent', () => call('urgent')),
    ];
    await Promise.all(calls);
    expect(answered).toEqual(['urgent', 'normal', 'normal']);
    clients.destroy();
  });

  it("gives up the rate limiter's wait when the call's signal fires", async () => {
    const opened = connections;
    const clients = standIn(endpoint, { maxApiRate: 0.2 });
    await clients.limiter().acquire(); // the burst of one is spent: the next call waits five seconds
    const abort = new AbortController();
    const started = Date.now();
    const call = describeJob(clients, abort.signal);
    setTimeout(() => {
      abort.abort();
    }, 100);
    expect(await call).toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(connections).toBe(opened);
    clients.destroy();
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

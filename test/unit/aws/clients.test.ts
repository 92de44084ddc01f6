import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { Registry } from 'prom-client';
import { AwsClients } from '../../../src/aws/clients.js';
import { classifyAwsError } from '../../../src/aws/errors.js';

// A stand-in SageMaker endpoint speaking the JSON wire protocol: it throttles the first N calls.
let server: Server;
let endpoint: string;
let throttleNext = 0;
const targets: string[] = [];

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  server = createServer((req, res) => {
    targets.push(String(req.headers['x-amz-target']));
    req.resume();
    req.on('end', () => {
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('AwsClients', () => {
  it('shares one client and one limiter per region, and honours the endpoint override', async () => {
    const clients = new AwsClients({
      defaultRegion: 'us-east-1',
      sagemakerEndpoint: endpoint,
      maxApiRate: 50,
      registry: new Registry(),
    });
    expect(clients.sagemaker()).toBe(clients.sagemaker('us-east-1'));
    expect(clients.sagemaker('eu-west-1')).not.toBe(clients.sagemaker());
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
    const clients = new AwsClients({
      defaultRegion: 'us-east-1',
      sagemakerEndpoint: endpoint,
      maxApiRate: 50,
      registry,
    });
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
    clients.destroy();
  });
});

import { DescribeTrainingJobCommand, ListModelsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Harness } from './test-harness.js';
import { failure, role, startHarness } from './test-harness.js';

let h: Harness;
let once: SageMakerClient;
beforeAll(async () => {
  h = await startHarness();
  // No SDK retries, so each injected fault is seen as it is answered.
  once = new SageMakerClient({
    endpoint: h.emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  once.destroy();
  await h.stop();
});
beforeEach(async () => {
  await h.emulator.control.reset();
});

const post = (target: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${h.emulator.endpoint}/`, {
    method: 'POST',
    headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1', ...headers },
    body,
  });

const signed = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=0',
};

describe('protocol', () => {
  it('rejects unsigned requests with 403 MissingAuthenticationTokenException', async () => {
    const response = await post('SageMaker.ListModels', '{}');
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('validates against the API model and names member and constraint', async () => {
    const invalid = await failure(
      h.sagemaker.send(
        new CreateTrainingJobCommand({
          TrainingJobName: 'bad_name',
          RoleArn: role,
          OutputDataConfig: { S3OutputPath: 'ftp://nowhere' },
          ResourceConfig: {
            InstanceType: 'ml.m5.large',
            InstanceCount: 1,
            VolumeSizeInGB: 10,
            KeepAlivePeriodInSeconds: 99999,
          },
        }),
      ),
    );
    expect(invalid.name).toBe('ValidationException');
    expect(invalid.status).toBe(400);
    expect(invalid.message).toMatch(/^3 validation errors detected: /);
    expect(invalid.message).toContain(
      "Value 'bad_name' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    );
    expect(invalid.message).toContain("at 'outputDataConfig.s3OutputPath' failed to satisfy constraint");
    expect(invalid.message).toContain(
      "Value '99999' at 'resourceConfig.keepAlivePeriodInSeconds' failed to satisfy constraint: Member must have value less than or equal to 21600",
    );
    const missing = await post('SageMaker.DescribeTrainingJob', '{}', signed);
    expect(await missing.json()).toMatchObject({
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'trainingJobName' failed to satisfy constraint: Member must not be null",
    });
    const wrongType = await post('SageMaker.DescribeTrainingJob', '{"TrainingJobName": 5}', signed);
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ __type: 'SerializationException' });
    const unknown = await post('SageMaker.NoSuchOperation', '{}', signed);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('throttles with ThrottlingException: Rate exceeded past a token bucket', async () => {
    await h.emulator.control.configure({ rateLimits: { ListModels: { ratePerSecond: 0.001, burst: 2 } } });
    await once.send(new ListModelsCommand({}));
    await once.send(new ListModelsCommand({}));
    expect(await failure(once.send(new ListModelsCommand({})))).toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      status: 400,
    });
    // Other operations have their own bucket.
    expect((await failure(once.send(new DescribeTrainingJobCommand({ TrainingJobName: 'x' })))).name).toBe(
      'ValidationException',
    );
  });

  it('injects 5xx errors, latency and dropped connections', async () => {
    await h.emulator.control.configure({
      faults: [{ kind: 'error', operation: 'ListModels', rate: 1, status: 503, count: 1 }],
    });
    expect(await failure(once.send(new ListModelsCommand({})))).toMatchObject({
      name: 'ServiceUnavailable',
      status: 503,
    });
    await once.send(new ListModelsCommand({}));

    // The SDK retries a 500 by itself: one injected failure is invisible to a default client.
    await h.emulator.control.configure({ faults: [{ kind: 'error', rate: 1, count: 1 }] });
    await h.sagemaker.send(new ListModelsCommand({}));

    await h.emulator.control.configure({ faults: [{ kind: 'latency', rate: 1, latencyMs: 150 }] });
    const started = Date.now();
    await once.send(new ListModelsCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    await h.emulator.control.configure({ faults: [{ kind: 'drop', rate: 1, count: 1 }] });
    const dropped = await failure(once.send(new ListModelsCommand({})));
    expect(dropped.status).toBeUndefined();
  });

  it('logs every call with its outcome and counts per operation', async () => {
    await h.emulator.control.configure({
      rateLimits: { DescribeTrainingJob: { ratePerSecond: 0.001, burst: 1 } },
    });
    await failure(once.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-a' })));
    await failure(once.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-a' })));
    await once.send(new ListModelsCommand({}));
    const { calls, counts } = await h.emulator.control.calls();
    expect(counts).toEqual({ DescribeTrainingJob: 2, ListModels: 1 });
    expect(calls.map((c) => [c.operation, c.resource, c.outcome])).toEqual([
      ['DescribeTrainingJob', 'job-a', 'ValidationException'],
      ['DescribeTrainingJob', 'job-a', 'ThrottlingException'],
      ['ListModels', undefined, 'ok'],
    ]);
    const later = await h.emulator.control.calls({ since: calls[1]!.seq });
    expect(later.calls.map((c) => c.operation)).toEqual(['ListModels']);
    await h.emulator.control.clearCalls();
    expect(await h.emulator.control.counts()).toEqual({});
  });
});

import { CreateModelCommand, DescribeModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sageMakerApiModelPath } from '../rig/python.js';
import { loadApiModel } from './api-model.js';
import type { RunningEmulator } from './index.js';
import { startEmulator } from './index.js';
import { failure, role } from './test-harness.js';

// The harness checks every answer of every emulator test against the real model; this shows the
// check bites, with a model from which DescribeModel's EnableNetworkIsolation was taken out.
let emulator: RunningEmulator;
let sagemaker: SageMakerClient;
let dir: string;
beforeAll(async () => {
  const model = await loadApiModel(await sageMakerApiModelPath());
  const output = model.shapes[model.operations.DescribeModel!.output!.shape]!;
  delete output.members!.EnableNetworkIsolation;
  dir = await mkdtemp(join(tmpdir(), 'emulator-model-'));
  const apiModelPath = join(dir, 'service-2.json.gz');
  await writeFile(apiModelPath, gzipSync(JSON.stringify(model)));
  emulator = await startEmulator({
    s3: { endpoint: process.env.RIG_S3_ENDPOINT! },
    apiModelPath,
    checkResponses: true,
  });
  sagemaker = new SageMakerClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  sagemaker.destroy();
  await emulator.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('responses checked against the output shapes', () => {
  it('refuses to send an answer with a member the model does not have, and lists it', async () => {
    await sagemaker.send(
      new CreateModelCommand({
        ModelName: 'm',
        ExecutionRoleArn: role,
        PrimaryContainer: { Image: 'xgb:1' },
      }),
    );
    expect(await failure(sagemaker.send(new DescribeModelCommand({ ModelName: 'm' })))).toMatchObject({
      name: 'EmulatorResponseMismatch',
      status: 400,
      message: expect.stringContaining("Member 'enableNetworkIsolation' is not in the modelled shape"),
    });
    expect(await emulator.control.mismatches()).toEqual([
      {
        operation: 'DescribeModel',
        problems: ["Member 'enableNetworkIsolation' is not in the modelled shape"],
      },
    ]);
  });
});

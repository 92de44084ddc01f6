import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import type { RunningEmulator, SettingsPatch } from './index.js';
import { startEmulator } from './index.js';

export const role = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** SageMaker seconds per real second in these tests: an hour of schedule is 0.36 s. */
export const scale = 0.0001;

/**
 * Real milliseconds each lifecycle phase takes in these tests: short for a fast suite, long enough
 * for a few calls to land while a resource is still Creating, Updating or Pending on a busy CI machine.
 */
export const phaseMs = 100;

/** SageMaker seconds one phase stands for. */
export const phaseSeconds = phaseMs / 1000 / scale;

/** Test timings: every phase takes `phaseMs` real milliseconds (the rest of SageMaker time scales too). */
const fastTimings = (): SettingsPatch['timings'] => {
  const seconds = phaseSeconds;
  return {
    trainingStarting: seconds,
    trainingDownloading: seconds,
    trainingTraining: seconds,
    trainingUploading: seconds,
    trainingStopping: seconds,
    trainingDeleting: seconds,
    endpointCreating: seconds,
    endpointUpdating: seconds,
    endpointRollingBack: seconds,
    endpointDeleting: seconds,
    scheduleActivating: seconds,
    executionPending: seconds,
    executionRunning: seconds,
    processingRunning: seconds,
    processingStopping: seconds,
    transformRunning: seconds,
    transformStopping: seconds,
    endpointSystemUpdating: seconds,
    tuningLaunching: seconds,
    tuningDeleting: seconds,
  };
};

export interface Harness {
  emulator: RunningEmulator;
  sagemaker: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  s3: S3Client;
  bucket: string;
  /** Reads an S3 object as text. */
  read(key: string): Promise<string>;
  readBytes(key: string): Promise<Uint8Array>;
  keys(prefix: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * The harness of one test file: started before its tests, reset to its settings before each test
 * when `resetEach`, stopped after them. Its fields are filled in once the file's tests begin.
 */
export function harnessForFile(options: { resetEach: boolean }): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    Object.assign(harness, await startHarness());
  });
  afterAll(async () => {
    await harness.stop();
  });
  if (options.resetEach)
    beforeEach(async () => {
      await harness.emulator.control.reset();
    });
  return harness;
}

/** The ARN the emulator gives a resource of `type` (account 123456789012, us-east-1). */
export const arn = (type: string, name: string): string =>
  `arn:aws:sagemaker:us-east-1:123456789012:${type}/${name}`;

export async function startHarness(): Promise<Harness> {
  const s3Endpoint = process.env.RIG_S3_ENDPOINT;
  if (s3Endpoint === undefined) throw new Error('RIG_S3_ENDPOINT is not set: run through jest global setup');
  const emulator = await startEmulator({
    s3: { endpoint: s3Endpoint },
    // moto serves IAM and STS on the same port: callers are the roles tests create there.
    iam: { endpoint: s3Endpoint },
    timeScale: scale,
    settings: { timings: fastTimings() },
    // Every answer is checked against the API model's output shape; see stop() below.
    checkResponses: true,
  });
  const s3 = new S3Client({ endpoint: s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  const bucket = `emulator-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const sagemaker = new SageMakerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
  const runtime = new SageMakerRuntimeClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials,
  });
  return {
    emulator,
    sagemaker,
    runtime,
    s3,
    bucket,
    read: async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await object.Body!.transformToString();
    },
    readBytes: async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await object.Body!.transformToByteArray();
    },
    keys: async (prefix) => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    },
    stop: async () => {
      // A mismatch already failed the call that met it; this catches calls whose error was swallowed.
      const mismatches = await emulator.control.mismatches();
      sagemaker.destroy();
      runtime.destroy();
      s3.destroy();
      await emulator.stop();
      if (mismatches.length > 0) {
        throw new Error(`the emulator answered outside the API model: ${JSON.stringify(mismatches)}`);
      }
    },
  };
}

/** Polls `read` until `done` holds for its value (or fails after `timeoutMs`). */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface CallError {
  name: string;
  message: string;
  status?: number;
}

/** The error a call fails with, or undefined when it succeeds. */
export async function errorOf(call: Promise<unknown>): Promise<CallError | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
}

/** The error a call fails with (the test fails if it succeeds). */
export async function failure(call: Promise<unknown>): Promise<CallError> {
  const error = await errorOf(call);
  if (!error) throw new Error('expected the call to fail');
  return error;
}

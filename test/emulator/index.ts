import type { AddressInfo } from 'node:net';
import { sageMakerApiModelPath } from '../rig/python.js';
import { loadApiModel } from './api-model.js';
import { EmulatorControl } from './control-client.js';
import type { SettingsPatch } from './emulator.js';
import { Emulator } from './emulator.js';
import type { IamOptions } from './iam.js';
import type { S3Options } from './s3.js';
import { createEmulatorServer } from './server.js';

export type { CallRecord, InFlightCall } from './call-log.js';
export type { Consistency, EmulatorSettings, Fault, Limits, RateLimit, S3Checks, Timings } from './config.js';
export { defaultTimings } from './config.js';
export { EmulatorControl } from './control-client.js';
export type { ResponseMismatch, SettingsPatch } from './emulator.js';
export type { EventKind, EventsSettings, EventStats, PublishedEvent } from './events.js';
export type { ProcessingOutputs, Steer } from './steering.js';

export interface StartEmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** The S3 server that receives side effects (model artifacts, data capture, reports). */
  s3: S3Options;
  /** moto's IAM and STS (the same server as S3 in the rig): callers' identities and policies. */
  iam?: IamOptions;
  /** Multiplies every SageMaker duration; 0.001 turns a 10-minute creation into 0.6 s. Default 1. */
  timeScale?: number;
  /** Settings applied at start (timings, limits, rate limits, faults); reset() returns to them. */
  settings?: SettingsPatch;
  /** botocore's sagemaker service-2.json.gz; default: the one the rig installs. */
  apiModelPath?: string;
  region?: string;
  account?: string;
  /**
   * Checks every answer against the API model's output shape; a mismatch is answered as
   * `EmulatorResponseMismatch` (400) and listed by `control.mismatches()`. The test harness sets it.
   */
  checkResponses?: boolean;
  /** Background failures (side effects nobody awaits); default: written to stderr. */
  onError?: (error: unknown) => void;
}

export interface RunningEmulator {
  /** Base URL for SageMakerClient and SageMakerRuntimeClient (`endpoint` option). */
  endpoint: string;
  control: EmulatorControl;
  stop(): Promise<void>;
}

export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error('[emulator]', error);
    });
  const model = await loadApiModel(options.apiModelPath ?? (await sageMakerApiModelPath()));
  const emulator = new Emulator({ ...options, model, onError });
  const server = createEmulatorServer(emulator, onError);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host}:${port}`;
  return {
    endpoint,
    control: new EmulatorControl(endpoint),
    stop: async () => {
      emulator.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

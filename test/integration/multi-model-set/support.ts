import { randomUUID } from 'node:crypto';
import {
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { CoreV1Api } from '@kubernetes/client-node';
import type { EndpointSpec } from '../../../src/crds/endpoint.js';
import type { MultiModelSetSpec, MultiModelSetStatus } from '../../../src/crds/multi-model-set.js';
import { role } from '../../emulator/test-harness.js';
import { IMAGE } from '../endpoint/support.js';
import { condition, type KubeObjectOf, type OperatorHarness } from '../support/operator.js';

export type MultiModelSet = KubeObjectOf<MultiModelSetSpec, MultiModelSetStatus>;
export const PLURAL = 'multimodelsets';

/** A prefix of its own per test, so tests never see each other's artifacts. */
export const prefixOf = (h: OperatorHarness, test: string): string => `mme/${h.namespace}/${test}/`;

/** An endpoint serving one multi-model container from `prefix`. */
export function multiModelEndpoint(h: OperatorHarness, prefix: string): EndpointSpec {
  return {
    models: [
      {
        modelName: 'mme',
        primaryContainer: {
          image: IMAGE,
          mode: 'MultiModel',
          modelDataUrl: `s3://${h.cloud.bucket}/${prefix}`,
        },
        executionRoleArn: role,
      },
    ],
    productionVariants: [
      { variantName: 'AllTraffic', modelName: 'mme', instanceType: 'ml.m5.xlarge', initialInstanceCount: 1 },
    ],
  };
}

/** Writes a source artifact; different `content` gives a different ETag. */
export async function putArtifact(h: OperatorHarness, key: string, content: string): Promise<void> {
  await h.cloud.s3.send(new PutObjectCommand({ Bucket: h.cloud.bucket, Key: key, Body: content }));
}

export const s3UriOf = (h: OperatorHarness, key: string): string => `s3://${h.cloud.bucket}/${key}`;

export async function exists(h: OperatorHarness, key: string, bucket = h.cloud.bucket): Promise<boolean> {
  try {
    await h.cloud.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

export async function tagsOf(h: OperatorHarness, key: string): Promise<Record<string, string>> {
  const answer = await h.cloud.s3.send(new GetObjectTaggingCommand({ Bucket: h.cloud.bucket, Key: key }));
  return Object.fromEntries((answer.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** The `<name>-targets` ConfigMap's data, or undefined when there is none. */
export async function targets(h: OperatorHarness, set: string): Promise<Record<string, string> | undefined> {
  try {
    const configMap = await h.kc
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: `${set}-targets`, namespace: h.namespace });
    return configMap.data ?? {};
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

export const ready = (o: MultiModelSet | undefined): boolean =>
  condition(o, 'Ready')?.status === 'True' && o?.status?.observedGeneration === o?.metadata.generation;

export async function waitReady(
  h: OperatorHarness,
  name: string,
  timeoutMs = 30_000,
): Promise<MultiModelSet> {
  const set = await h.waitFor<MultiModelSetSpec, MultiModelSetStatus>(PLURAL, name, ready, timeoutMs);
  if (!set) throw new Error(`${name} is gone`);
  return set;
}

/** Invokes a multi-model endpoint; the emulator answers with what it loaded. */
export async function invoke(
  h: OperatorHarness,
  endpointName: string,
  targetModel: string,
  runtime = h.cloud.runtime,
): Promise<{ modelData: string; targetModel: string }> {
  const response = await runtime.send(
    new InvokeEndpointCommand({
      EndpointName: endpointName,
      TargetModel: targetModel,
      Body: Buffer.from('1,2,3'),
      ContentType: 'text/csv',
    }),
  );
  return JSON.parse(Buffer.from(response.Body).toString()) as { modelData: string; targetModel: string };
}

export async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Counts the requests a client sends from now on. */
export function countCalls(client: S3Client): { count(): number } {
  let calls = 0;
  client.middlewareStack.add(
    (next) => (args) => {
      calls++;
      return next(args);
    },
    { step: 'initialize', name: `count-${randomUUID()}` },
  );
  return { count: () => calls };
}

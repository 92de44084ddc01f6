import type { ContainerDefinition, DataCaptureConfig } from '@aws-sdk/client-sagemaker';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, Wire } from './context.js';
import { ApiError } from './errors.js';
import type { Endpoint, ServingVariant } from './hosting.js';
import type { Registry } from './resources.js';
import { joinS3, parseS3Uri } from './s3.js';

export interface Invocation {
  endpointName: string;
  body: Buffer;
  contentType?: string;
  accept?: string;
  targetModel?: string;
  targetVariant?: string;
  inferenceId?: string;
}

export interface InvocationResult {
  body: string;
  contentType: string;
  variant: string;
}

const servingStatuses = new Set([
  'InService',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'UpdateRollbackFailed',
]);

const validationError = (message: string): ApiError => new ApiError('ValidationError', message);

/** The container that serves: the multi-model one of a pipeline, else the first. */
const servingContainer = (variant: ServingVariant): Wire<ContainerDefinition> | undefined =>
  variant.model.PrimaryContainer ??
  variant.model.Containers?.find((c) => c.Mode === 'MultiModel') ??
  variant.model.Containers?.[0];

/**
 * Picks a variant in proportion to the current weights, deterministically: the n-th call lands at
 * a low-discrepancy point (golden-ratio sequence) of the cumulative weights.
 */
export function pickVariant(variants: ServingVariant[], n: number): ServingVariant | undefined {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (total <= 0) return variants[0];
  let point = ((n * 0.6180339887498949) % 1) * total;
  for (const variant of variants) {
    if (point < variant.weight) return variant;
    point -= variant.weight;
  }
  return variants.at(-1);
}

/** The n-th call is captured when the running count of sampled calls steps up. */
export const sampled = (n: number, percentage: number): boolean =>
  Math.floor(((n + 1) * percentage) / 100) > Math.floor((n * percentage) / 100);

/** A prediction that depends only on the model artifact and the input, so tests can tell models apart. */
export function predict(modelData: string, input: Buffer | string): number {
  const digest = createHash('sha256').update(modelData).update('\n').update(input).digest();
  return digest.readUInt32BE(0) / 0xffffffff;
}

const encodingOf = (contentType: string, capture: Wire<DataCaptureConfig>): 'CSV' | 'JSON' | 'BASE64' => {
  const csv = capture.CaptureContentTypeHeader?.CsvContentTypes ?? ['text/csv'];
  const json = capture.CaptureContentTypeHeader?.JsonContentTypes ?? ['application/json'];
  if (csv.includes(contentType)) return 'CSV';
  if (json.includes(contentType)) return 'JSON';
  return 'BASE64';
};

const two = (n: number): string => String(n).padStart(2, '0');

/** `{destination}/{endpoint}/{variant}/yyyy/mm/dd/hh/{mm-ss-SSS}-{uuid}.jsonl`, in UTC. */
export function captureKey(destination: string, endpoint: string, variant: string, at: Date): string {
  const hour = `${at.getUTCFullYear()}/${two(at.getUTCMonth() + 1)}/${two(at.getUTCDate())}/${two(at.getUTCHours())}`;
  const file = `${two(at.getUTCMinutes())}-${two(at.getUTCSeconds())}-${String(at.getUTCMilliseconds()).padStart(3, '0')}-${randomUUID()}.jsonl`;
  return joinS3(destination, endpoint, variant, hour, file);
}

/** Whether a `StringLike` pattern (`*` any run, `?` any one character) matches the whole value. */
export function stringLike(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}

/** InvokeEndpoint waits this long (SageMaker seconds) for a model still loading, then answers ModelNotReadyException. */
const LOAD_WAIT_SECONDS = 60;

/** InvokeEndpoint (SageMaker Runtime) against the emulated endpoints. */
export function runtime(ctx: Context, endpoints: Registry<Endpoint>) {
  const captureRecord = (
    invocation: Invocation,
    result: InvocationResult,
    capture: Wire<DataCaptureConfig>,
    at: Date,
  ) => {
    const modes = new Set((capture.CaptureOptions ?? []).map((o) => o.CaptureMode));
    const encode = (data: Buffer | string, contentType: string) => {
      const encoding = encodingOf(contentType, capture);
      const buffer = Buffer.from(data);
      return {
        observedContentType: contentType,
        encoding,
        data: encoding === 'BASE64' ? buffer.toString('base64') : buffer.toString('utf8'),
      };
    };
    const inputType = invocation.contentType ?? 'application/octet-stream';
    return JSON.stringify({
      captureData: {
        ...((modes.has('Input') || modes.has('InputAndOutput')) && {
          endpointInput: { ...encode(invocation.body, inputType), mode: 'INPUT' },
        }),
        ...((modes.has('Output') || modes.has('InputAndOutput')) && {
          endpointOutput: { ...encode(result.body, result.contentType), mode: 'OUTPUT' },
        }),
      },
      eventMetadata: {
        eventId: randomUUID(),
        ...(invocation.inferenceId !== undefined && { inferenceId: invocation.inferenceId }),
        inferenceTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      eventVersion: '0',
    });
  };

  /** Per endpoint, per variant and artifact: when (epoch seconds) the model is loaded. */
  const loads = new WeakMap<Endpoint, Map<string, number>>();

  /**
   * A multi-model endpoint downloads and loads a model at its first invocation (a cold start): the
   * call waits for it, up to 60 s, and answers ModelNotReadyException (429) if it is still loading
   * then. A loaded model is served from memory, even if its artifact has since left S3.
   */
  const load = async (endpoint: Endpoint, variant: string, modelData: string, target: string) => {
    let models = loads.get(endpoint);
    if (!models) loads.set(endpoint, (models = new Map<string, number>()));
    const key = `${variant}\n${modelData}`;
    let readyAt = models.get(key);
    if (readyAt === undefined) {
      if (!(await ctx.s3.exists(modelData))) {
        const { bucket, key: objectKey } = parseS3Uri(modelData);
        throw validationError(
          `Failed to download model data(bucket: ${bucket}, key: ${objectKey}). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model.`,
        );
      }
      readyAt = ctx.now() + ctx.timing('multiModelLoading');
      models.set(key, readyAt);
    }
    const wait = readyAt - ctx.now();
    const limit = ctx.scaled(LOAD_WAIT_SECONDS);
    if (wait > limit) {
      await sleep(limit * 1000);
      throw new ApiError(
        'ModelNotReadyException',
        `Model ${target} is not ready yet; it is still being loaded. Please retry.`,
      );
    }
    if (wait > 0) await sleep(wait * 1000);
  };

  return async (invocation: Invocation): Promise<InvocationResult> => {
    const endpoint = endpoints.get(invocation.endpointName);
    if (endpoint) await ctx.lifecycle.settle(endpoint);
    const deployed = endpoint?.deployed;
    if (!endpoint || !deployed || !servingStatuses.has(endpoint.status)) {
      throw validationError(`Endpoint ${invocation.endpointName} of account ${ctx.scope.account} not found.`);
    }
    const n = endpoint.invocations++;
    const variant =
      invocation.targetVariant === undefined
        ? pickVariant(deployed.variants, n)
        : deployed.variants.find((v) => v.name === invocation.targetVariant);
    if (!variant) {
      throw validationError(
        `The variant ${invocation.targetVariant ?? ''} is not present on endpoint ${endpoint.name}.`,
      );
    }
    const container = servingContainer(variant);
    const multiModel = container?.Mode === 'MultiModel';
    let modelData = container?.ModelDataUrl ?? variant.model.ModelName ?? '';
    if (multiModel) {
      if (invocation.targetModel === undefined) {
        throw validationError(
          `Endpoint ${endpoint.name} is a multi-model endpoint: the target model header is required.`,
        );
      }
      modelData = joinS3(modelData, invocation.targetModel);
      await load(endpoint, variant.name, modelData, invocation.targetModel);
    } else if (invocation.targetModel !== undefined) {
      throw validationError(
        `Endpoint ${endpoint.name} is not a multi-model endpoint and does not support target model header.`,
      );
    }
    const result: InvocationResult = {
      body: JSON.stringify({
        prediction: predict(modelData, invocation.body),
        endpoint: endpoint.name,
        variant: variant.name,
        model: variant.model.ModelName,
        modelData,
        ...(multiModel && { targetModel: invocation.targetModel }),
      }),
      contentType: 'application/json',
      variant: variant.name,
    };
    const capture = deployed.dataCapture;
    if (capture && capture.EnableCapture !== false && sampled(n, capture.InitialSamplingPercentage ?? 0)) {
      const at = new Date(ctx.now() * 1000);
      const uri = captureKey(capture.DestinationS3Uri!, endpoint.name, variant.name, at);
      await ctx.s3.put(uri, `${captureRecord(invocation, result, capture, at)}\n`, 'application/jsonl');
    }
    return result;
  };
}

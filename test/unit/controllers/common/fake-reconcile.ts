import { KubeConfig } from '@kubernetes/client-node';
import { SageMakerClient, SageMakerServiceException, type Tag } from '@aws-sdk/client-sagemaker';
import { pino } from 'pino';
import type { AwsClients } from '../../../../src/aws/clients.js';
import type { AwsScope } from '../../../../src/aws/identity.js';
import type { KindControllerOptions } from '../../../../src/controllers/common/change-detection.js';
import { TakenNames } from '../../../../src/controllers/common/managed-resource.js';
import { checkRequest } from '../../../../src/controllers/common/security-policies.js';
import {
  type CacheReader,
  type KindDescriptor,
  type KubeObject,
  type ReconcileContext,
} from '../../../../src/runtime/index.js';
import { StatusHelper } from '../../../../src/runtime/status.js';
import type { ObjectWriter } from '../../../../src/runtime/writer.js';

/*
 * A reconcile without a cluster or a cloud: the object's status kept in memory, the cache a map,
 * events recorded, and SageMaker a real client whose every call is answered by a stub in this
 * process (a training job's calls, and tags), so that the skeleton's requests and their order are
 * those it sends to SageMaker.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
const NOT_FOUND = 'Requested resource not found.';

/** An error as the SDK raises it for SageMaker's answer `name`. */
export function sageMakerError(
  name: string,
  message: string,
  httpStatusCode = 400,
): SageMakerServiceException {
  return new SageMakerServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

export interface FakeJob {
  arn: string;
  status: string;
  tags: Tag[];
  /** Describes still answer "not found" this many times (reads lag behind a create). */
  invisibleFor?: number;
}

/** SageMaker's training jobs and tags, as one account and region answers them. */
export class FakeSageMaker {
  readonly jobs = new Map<string, FakeJob>();
  /** Every call, in order: `CreateTrainingJob my-job`. */
  readonly calls: string[] = [];
  /** Errors the next calls of an operation raise, one per call, before anything is done. */
  readonly failures = new Map<string, Error[]>();
  /** Creates that land but whose answer is lost: raised after the job exists. */
  loseCreateAnswers = 0;
  /** How many describes a new job stays invisible to. */
  invisibleAfterCreate = 0;
  readonly client: SageMakerClient;

  constructor() {
    this.client = new SageMakerClient({
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const stack = this.client.middlewareStack as unknown as {
      add(middleware: unknown, options: { step: string; name: string }): void;
    };
    stack.add(
      (_next: unknown, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          checkRequest(operation, args.input);
          return { output: { $metadata: {}, ...(await this.answer(operation, args.input)) }, response: {} };
        },
      { step: 'initialize', name: 'fake-sagemaker' },
    );
  }

  fail(operation: string, ...errors: Error[]): void {
    this.failures.set(operation, [...(this.failures.get(operation) ?? []), ...errors]);
  }

  count(operation: string): number {
    return this.calls.filter((call) => call.startsWith(`${operation} `)).length;
  }

  private async answer(operation: string, input: Record<string, unknown>): Promise<object> {
    const name = [input.TrainingJobName, input.ResourceArn].find((v) => typeof v === 'string') ?? '';
    this.calls.push(`${operation} ${name}`);
    const failure = this.failures.get(operation)?.shift();
    if (failure) throw failure;
    await Promise.resolve();
    switch (operation) {
      case 'DescribeTrainingJob': {
        const job = this.jobs.get(name);
        if (!job || (job.invisibleFor ?? 0) > 0) {
          if (job) job.invisibleFor = (job.invisibleFor ?? 0) - 1;
          throw sageMakerError('ValidationException', NOT_FOUND);
        }
        return { TrainingJobName: name, TrainingJobArn: job.arn, TrainingJobStatus: job.status };
      }
      case 'CreateTrainingJob': {
        const existing = this.jobs.get(name);
        if (existing)
          throw sageMakerError(
            'ResourceInUse',
            `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${existing.arn})`,
          );
        const arn = jobArn(name);
        this.jobs.set(name, {
          arn,
          status: 'InProgress',
          tags: (input.Tags as Tag[] | undefined) ?? [],
          invisibleFor: this.invisibleAfterCreate,
        });
        if (this.loseCreateAnswers > 0) {
          this.loseCreateAnswers--;
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return { TrainingJobArn: arn };
      }
      case 'StopTrainingJob':
        this.require(name).status = 'Stopping';
        return {};
      case 'DeleteTrainingJob':
        this.jobs.delete(name);
        return {};
      case 'ListTags':
        return { Tags: this.byArn(name).tags };
      case 'AddTags': {
        const job = this.byArn(name);
        const added = input.Tags as Tag[];
        job.tags = [...job.tags.filter((t) => !added.some((a) => a.Key === t.Key)), ...added];
        return {};
      }
      case 'DeleteTags': {
        const job = this.byArn(name);
        job.tags = job.tags.filter((t) => !(input.TagKeys as string[]).includes(t.Key ?? ''));
        return {};
      }
      default:
        throw new Error(`the fake SageMaker does not answer ${operation}`);
    }
  }

  private require(name: string): FakeJob {
    const job = this.jobs.get(name);
    if (!job) throw sageMakerError('ValidationException', NOT_FOUND);
    return job;
  }

  private byArn(arn: string): FakeJob {
    const job = [...this.jobs.values()].find((j) => j.arn === arn);
    if (!job) throw sageMakerError('ValidationException', NOT_FOUND);
    return job;
  }
}

export const jobArn = (name: string): string => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/${name}`;

/** The namespace every object lives in, as the cache holds it. */
export const NAMESPACE = 'team-a';
const NAMESPACE_OBJECT: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } };

/** The operator's settings and clients, with SageMaker answered by `sagemaker` as account `account()`. */
export function operatorOptions(
  sagemaker: FakeSageMaker,
  account: () => string = () => ACCOUNT,
): KindControllerOptions {
  const aws = {
    sagemaker: (_scope?: AwsScope) => sagemaker.client,
    accountOf: (_scope: AwsScope) => Promise.resolve(account()),
    s3: () => ({
      send: () => Promise.reject(new Error('the skeleton reads no S3 document in these cases')),
    }),
  } as unknown as AwsClients;
  return {
    aws,
    clusterName: 'unit',
    defaultRegion: REGION,
    takenNames: new TakenNames(60_000),
    polling: { minMs: 1_000, maxMs: 60_000, finishedMs: 3_600_000 },
  };
}

export interface RecordedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  note: string;
}

/** One reconcile's context over `obj`: what it writes lands in `obj` when its status is flushed. */
export function reconcileContext<S>(
  obj: KubeObject,
  extra: { objects?: KubeObject[]; events?: RecordedEvent[] } = {},
): ReconcileContext<S> & { stored(): KubeObject; writes(): number } {
  let stored = structuredClone(obj);
  let writes = 0;
  const writer = {
    update: (
      _obj: KubeObject,
      _target: string,
      _purpose: string,
      compute: (current: KubeObject) => Record<string, unknown> | undefined,
    ) => {
      const patch = compute(stored);
      if (patch) {
        writes++;
        stored = mergePatch(stored, patch) as KubeObject;
      }
      return Promise.resolve(stored);
    },
  } as unknown as ObjectWriter;
  const objects = [NAMESPACE_OBJECT, ...(extra.objects ?? [])];
  const cache: CacheReader = {
    get: <T extends KubeObject>(kind: KindDescriptor<T>, namespace: string, name: string) =>
      objects.find(
        (o) =>
          o.kind === kind.kind && (o.metadata?.namespace ?? '') === namespace && o.metadata?.name === name,
      ) as T | undefined,
    list: <T extends KubeObject>(kind: KindDescriptor<T>, namespace?: string) =>
      objects.filter(
        (o) => o.kind === kind.kind && (namespace === undefined || o.metadata?.namespace === namespace),
      ) as T[],
  };
  const events = extra.events ?? [];
  const status = new StatusHelper<S>(stored, writer, new AbortController().signal);
  return {
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    status,
    events: {
      normal: (reason, note) => events.push({ type: 'Normal', reason, note }),
      warning: (reason, note) => events.push({ type: 'Warning', reason, note }),
    },
    cache,
    kubeConfig: new KubeConfig(),
    retries: 0,
    deletionPolicy: 'Delete',
    driftIntervalMs: 3_600_000,
    stored: () => stored,
    writes: () => writes,
  };
}

/** RFC 7386: `patch` merged into `target`; null removes. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const merged: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  const entries = Object.entries({ ...merged, ...patch } as Record<string, unknown>);
  return Object.fromEntries(
    entries
      .filter(([key]) => (patch as Record<string, unknown>)[key] !== null)
      .map(([key]) =>
        key in patch
          ? [key, mergePatch(merged[key], (patch as Record<string, unknown>)[key])]
          : [key, merged[key]],
      ),
  );
}

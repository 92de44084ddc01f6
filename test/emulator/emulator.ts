import type { ApiModel } from './api-model.js';
import { CallLog } from './call-log.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consistency, EmulatorSettings, Fault, Limits, RateLimit, S3Checks, Timings } from './config.js';
import { defaultSettings } from './config.js';
import type { Context, Handler } from './context.js';
import { ApiError } from './errors.js';
import type { EventsSettings, EventStats } from './events.js';
import { StateChangeEvents } from './events.js';
import { pickFault, Throttle } from './faults.js';
import { resourceOf } from './call-log.js';
import { hosting } from './hosting.js';
import { conditionKeys } from './condition-keys.js';
import type { IamOptions } from './iam.js';
import { IamAuthorizer } from './iam.js';
import { Lifecycle } from './lifecycle.js';
import { monitoring } from './monitoring.js';
import { processingJobs } from './processing.js';
import { modelRegistry } from './registry.js';
import type { AccountScope, Registry, Resource } from './resources.js';
import type { Invocation, InvocationResult } from './runtime.js';
import { runtime } from './runtime.js';
import type { S3Options } from './s3.js';
import { S3Effects } from './s3.js';
import { Steering } from './steering.js';
import { tagOperations } from './tags.js';
import { trainingJobs } from './training.js';
import { tuningJobs } from './tuning.js';
import { transformJobs } from './transform.js';
import type { InputValidator, OutputValidator } from './validator.js';
import { compileOutputValidators, compileValidators } from './validator.js';
import { documentedRuleViolation } from './request-rules.js';

export interface EmulatorCoreOptions {
  model: ApiModel;
  s3: S3Options;
  /** moto's IAM and STS: who calls, and what their policies allow (README "IAM"); absent: anyone may do anything. */
  iam?: IamOptions;
  timeScale?: number;
  /** Applied at start; reset() returns to these. */
  settings?: SettingsPatch;
  region?: string;
  account?: string;
  onError?: (error: unknown) => void;
  /**
   * Checks every answer against the operation's output shape in the API model; a mismatch is
   * answered as `EmulatorResponseMismatch` (HTTP 400, not retried) and kept in `mismatches`.
   */
  checkResponses?: boolean;
}

/** Partial settings as the control API accepts them: timings merge, the rest replaces. */
export interface SettingsPatch {
  timeScale?: number;
  timings?: Partial<Timings>;
  limits?: Limits;
  rateLimits?: Record<string, RateLimit>;
  faults?: Fault[];
  consistency?: Partial<Consistency>;
  s3Checks?: Partial<S3Checks>;
  clockOffsetSeconds?: number;
  /** Where state-change events go; `null` stops them (JSON has no undefined). */
  events?: EventsSettings | null;
}

/** An answer of the emulator that the API model says SageMaker would never give. */
export interface ResponseMismatch {
  operation: string;
  problems: string[];
}

/** Operations that carry a resource's own name, per ARN type of its registry (see Kinds below). */
const kindsByArnType: Record<string, { kind: string; member: string }> = {
  'training-job': { kind: 'TrainingJob', member: 'TrainingJobName' },
  'hyper-parameter-tuning-job': { kind: 'HyperParameterTuningJob', member: 'HyperParameterTuningJobName' },
  model: { kind: 'Model', member: 'ModelName' },
  'endpoint-config': { kind: 'EndpointConfig', member: 'EndpointConfigName' },
  endpoint: { kind: 'Endpoint', member: 'EndpointName' },
  'processing-job': { kind: 'ProcessingJob', member: 'ProcessingJobName' },
  'transform-job': { kind: 'TransformJob', member: 'TransformJobName' },
  'monitoring-schedule': { kind: 'MonitoringSchedule', member: 'MonitoringScheduleName' },
  'data-quality-job-definition': { kind: 'DataQualityJobDefinition', member: 'JobDefinitionName' },
  'model-quality-job-definition': { kind: 'ModelQualityJobDefinition', member: 'JobDefinitionName' },
  'model-bias-job-definition': { kind: 'ModelBiasJobDefinition', member: 'JobDefinitionName' },
  'model-package-group': { kind: 'ModelPackageGroup', member: 'ModelPackageGroupName' },
  'model-package': { kind: 'ModelPackage', member: 'ModelPackageName' },
  'model-explainability-job-definition': {
    kind: 'ModelExplainabilityJobDefinition',
    member: 'JobDefinitionName',
  },
};

interface KindOperations {
  registry: Registry<Resource>;
  member: string;
}

/** Role ARNs a request passes, wherever they sit (RoleArn, ExecutionRoleArn, nested definitions). */
export function roleArnsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(roleArnsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key.endsWith('RoleArn') && typeof v === 'string' ? [v] : roleArnsIn(v),
  );
}

/** What the server does with a call before running it. */
export type Admission = { kind: 'throttled' } | Fault | undefined;

/** The emulated SageMaker account, independent of HTTP: operations, state, settings, call log. */
export class Emulator {
  readonly calls = new CallLog();
  readonly steering = new Steering();
  /** Changed in place, so every family sees the current values. */
  readonly settings: EmulatorSettings;
  private readonly baseline: EmulatorSettings;
  private readonly throttle = new Throttle();
  private readonly lifecycle: Lifecycle;
  private readonly s3: S3Effects;
  private readonly events: StateChangeEvents;
  private readonly iam: IamAuthorizer | undefined;
  private readonly validators: Map<string, InputValidator>;
  private readonly outputValidators: Map<string, OutputValidator> | undefined;
  /** Answers that did not match the model's output shapes (only with `checkResponses`). */
  readonly mismatches: ResponseMismatch[] = [];
  private readonly scope: AccountScope;
  /** Create* and Describe* operations, by operation name, with the registry they act on. */
  private readonly creates = new Map<string, KindOperations>();
  private readonly describes = new Map<string, KindOperations>();
  /** Increased by reset() and stop(): a delayed create that outlives it is not executed. */
  private generation = 0;
  private readonly operations = new Map<string, Handler>();
  /** The members of each List* operation's input shape; other members are dropped (see call). */
  private readonly listMembers = new Map<string, Set<string>>();
  private readonly registries: Registry<Resource>[];
  /** Monitoring executions outlive their schedules, so they are kept outside the registries. */
  private readonly clearHistory: () => void;
  readonly invoke: (invocation: Invocation) => Promise<InvocationResult>;

  constructor(options: EmulatorCoreOptions) {
    this.settings = defaultSettings(options.timeScale ?? 1);
    this.configure(options.settings ?? {});
    this.baseline = structuredClone(this.settings);
    const onError = options.onError ?? (() => undefined);
    const scope: AccountScope = {
      partition: 'aws',
      region: options.region ?? 'us-east-1',
      account: options.account ?? '123456789012',
    };
    this.scope = scope;
    const now = (): number => Date.now() / 1000 + this.settings.clockOffsetSeconds;
    this.lifecycle = new Lifecycle(now, onError);
    this.s3 = new S3Effects(options.s3);
    this.iam = options.iam && new IamAuthorizer(options.iam);
    this.events = new StateChangeEvents(options.model, scope, () => this.settings.events, now, onError);
    this.validators = compileValidators(options.model);
    this.outputValidators = options.checkResponses ? compileOutputValidators(options.model) : undefined;
    for (const [name, operation] of Object.entries(options.model.operations)) {
      const shape = operation.input && options.model.shapes[operation.input.shape];
      if (name.startsWith('List') && shape?.members)
        this.listMembers.set(name, new Set(Object.keys(shape.members)));
    }
    const ctx: Context = {
      scope,
      settings: this.settings,
      lifecycle: this.lifecycle,
      s3: this.s3,
      steering: this.steering,
      now,
      timing: (phase) => this.settings.timings[phase] * this.settings.timeScale,
      scaled: (seconds) => seconds * this.settings.timeScale,
      reportError: onError,
      stateChanged: (kind, resource, describe) => {
        this.events.changed(kind, resource, describe);
      },
    };
    const training = trainingJobs(ctx);
    const tuning = tuningJobs(ctx, training);
    const registry = modelRegistry(ctx);
    const hosted = hosting(ctx, registry.resolveContainer);
    const processing = processingJobs(ctx);
    const transform = transformJobs(ctx, hosted.models);
    const monitor = monitoring(ctx, processing.start);
    this.clearHistory = monitor.clear;
    this.registries = [
      training.registry,
      tuning.registry,
      hosted.models,
      hosted.endpointConfigs,
      hosted.endpoints,
      processing.registry,
      transform.registry,
      monitor.schedules,
      ...monitor.definitions,
      registry.groups,
      registry.packages,
    ] as Registry<Resource>[];
    const families = [
      training.operations,
      tuning.operations,
      hosted.operations,
      processing.operations,
      transform.operations,
      monitor.operations,
      registry.operations,
      tagOperations(this.registries),
    ];
    for (const ops of families) {
      for (const [name, handler] of Object.entries(ops)) this.operations.set(name, handler);
    }
    for (const registry of this.registries) {
      const { kind, member } = kindsByArnType[registry.arnType]!;
      this.creates.set(`Create${kind}`, { registry, member });
      this.describes.set(`Describe${kind}`, { registry, member });
    }
    this.invoke = runtime(ctx, hosted.endpoints);
  }

  /** Runs a SageMaker operation on a parsed JSON input, as the JSON 1.1 endpoint receives it. */
  async call(operation: string, input: unknown): Promise<unknown> {
    const handler = this.operations.get(operation);
    const validator = this.validators.get(operation);
    if (!validator) throw new ApiError('UnknownOperationException', `Unknown operation ${operation}.`);
    if (!handler) {
      throw new ApiError('UnknownOperationException', `The emulator does not implement ${operation}.`);
    }
    const invalid = validator(input) ?? documentedRuleViolation(operation, input);
    if (invalid) throw invalid;
    this.checkRoles(input);
    const create = this.creates.get(operation);
    if (create) await this.delayCreate();
    this.hideYoungResource(operation, input);
    const output = await (handler as (input: unknown) => unknown)(this.onlyModelled(operation, input));
    if (create) this.startVisibilityWindow(create, input);
    this.checkResponse(operation, output);
    return output;
  }

  /**
   * A List* handler sees only the members its input shape has: a filter another List* call has
   * (LastModifiedTimeAfter on ListModels, say) filters nothing there. The SDKs cannot send such a
   * member; a raw request that does is answered as if it were absent.
   */
  private onlyModelled(operation: string, input: unknown): unknown {
    const members = this.listMembers.get(operation);
    if (!members || typeof input !== 'object' || input === null) return input;
    return Object.fromEntries(Object.entries(input).filter(([key]) => members.has(key)));
  }

  /** Passing a role of another account or partition is refused, as IAM refuses a cross-account PassRole. */
  private checkRoles(input: unknown): void {
    for (const arn of roleArnsIn(input)) {
      const match = /^arn:([^:]+):iam::(\d{12}):/.exec(arn);
      if (match && (match[1] !== this.scope.partition || match[2] !== this.scope.account)) {
        throw new ApiError('ValidationException', 'Cross-account pass role is not allowed.');
      }
    }
  }

  /** A create lands late; it still lands if the caller went away (nothing here watches the socket). */
  private async delayCreate(): Promise<void> {
    const seconds = this.settings.consistency.createDelay * this.settings.timeScale;
    if (seconds <= 0) return;
    const generation = this.generation;
    await sleep(seconds * 1000, undefined, { ref: false });
    if (generation !== this.generation) {
      throw new ApiError('InternalFailure', 'The emulator was reset while the create was pending.', 500);
    }
  }

  /** Eventually consistent reads: a resource younger than the window is not found by Describe*. */
  private hideYoungResource(operation: string, input: unknown): void {
    const describe = this.describes.get(operation);
    if (!describe) return;
    const name = (input as Record<string, unknown>)[describe.member];
    if (typeof name !== 'string') return;
    const resource = describe.registry.get(name);
    if (resource?.visibleAt !== undefined && Date.now() / 1000 < resource.visibleAt) {
      throw describe.registry.missing(name);
    }
  }

  private startVisibilityWindow(create: KindOperations, input: unknown): void {
    const seconds = this.settings.consistency.describeAfterCreate * this.settings.timeScale;
    const name = (input as Record<string, unknown>)[create.member];
    if (seconds <= 0 || typeof name !== 'string') return;
    const resource = create.registry.get(name);
    if (resource) resource.visibleAt = Date.now() / 1000 + seconds;
  }

  private checkResponse(operation: string, output: unknown): void {
    const problems = this.outputValidators?.get(operation)?.(output ?? {});
    if (!problems || problems.length === 0) return;
    this.mismatches.push({ operation, problems });
    throw new ApiError(
      'EmulatorResponseMismatch',
      `The emulator's answer to ${operation} does not match the API model: ${problems.join('; ')}`,
    );
  }

  /** Rate limits first (a throttled call does nothing), then injected faults. */
  admit(operation: string): Admission {
    if (!this.throttle.take(operation, Date.now())) return { kind: 'throttled' };
    return pickFault(this.settings.faults, operation, Math.random);
  }

  /** The caller's ARN (an assumed role's session, a user) from its access key id; undefined without IAM. */
  async principal(accessKeyId: string | undefined): Promise<string | undefined> {
    return this.iam && accessKeyId !== undefined ? await this.iam.principal(accessKeyId) : undefined;
  }

  /** Throws AccessDeniedException when the caller's IAM policies do not allow the request. */
  async authorize(accessKeyId: string | undefined, operation: string, input: unknown): Promise<void> {
    if (!this.iam || accessKeyId === undefined) return;
    await this.iam.authorize(accessKeyId, {
      action: `sagemaker:${operation}`,
      resource: this.resourceArn(operation, input),
      context: conditionKeys(operation, input, this.scope),
    });
  }

  /** The ARN IAM authorizes an operation on: the resource it names, `*` for one that names none (List*). */
  private resourceArn(operation: string, input: unknown): string {
    const named = resourceOf(input);
    if (named?.startsWith('arn:')) return named;
    const subject = [...this.creates.entries()]
      .map(([create, kind]) => ({ kind: create.slice('Create'.length), ...kind }))
      .filter(({ kind }) => operation.endsWith(kind))
      .sort((a, b) => b.kind.length - a.kind.length)[0];
    const name = subject && (input as Record<string, unknown>)[subject.member];
    return subject && typeof name === 'string' ? subject.registry.arn(name) : '*';
  }

  configure(patch: SettingsPatch): EmulatorSettings {
    const s = this.settings;
    Object.assign(s, {
      timeScale: patch.timeScale ?? s.timeScale,
      timings: { ...s.timings, ...patch.timings },
      limits: patch.limits ?? s.limits,
      rateLimits: patch.rateLimits ?? s.rateLimits,
      faults: patch.faults ?? s.faults,
      consistency: { ...s.consistency, ...patch.consistency },
      s3Checks: { ...s.s3Checks, ...patch.s3Checks },
      clockOffsetSeconds: patch.clockOffsetSeconds ?? s.clockOffsetSeconds,
      events: patch.events === null ? undefined : (patch.events ?? s.events),
    });
    if (patch.rateLimits) this.throttle.configure(patch.rateLimits);
    return this.settings;
  }

  /** Forgets every resource, steer and logged call, and returns to the settings given at start. */
  reset(): void {
    this.generation++;
    this.lifecycle.stop();
    for (const registry of this.registries) registry.clear();
    this.clearHistory();
    this.steering.clear();
    this.calls.clear();
    this.events.reset();
    Object.assign(this.settings, { events: undefined }, structuredClone(this.baseline));
    this.throttle.configure(this.settings.rateLimits);
  }

  /** What the state-change events publisher sent, failed to send, and has pending. */
  eventStats(): EventStats {
    return this.events.eventStats();
  }

  stop(): void {
    this.generation++;
    this.lifecycle.stop();
    this.events.stop();
    this.s3.destroy();
  }
}

import type { ApiModel } from './api-model.js';
import { CallLog } from './call-log.js';
import type { EmulatorSettings, Fault, Limits, RateLimit, Timings } from './config.js';
import { defaultSettings } from './config.js';
import type { Context, Handler } from './context.js';
import { ApiError } from './errors.js';
import { pickFault, Throttle } from './faults.js';
import { hosting } from './hosting.js';
import { Lifecycle } from './lifecycle.js';
import { monitoring } from './monitoring.js';
import { processingJobs } from './processing.js';
import type { AccountScope, Registry, Resource } from './resources.js';
import type { Invocation, InvocationResult } from './runtime.js';
import { runtime } from './runtime.js';
import type { S3Options } from './s3.js';
import { S3Effects } from './s3.js';
import { Steering } from './steering.js';
import { tagOperations } from './tags.js';
import { trainingJobs } from './training.js';
import { transformJobs } from './transform.js';
import type { InputValidator } from './validator.js';
import { compileValidators } from './validator.js';

export interface EmulatorCoreOptions {
  model: ApiModel;
  s3: S3Options;
  timeScale?: number;
  /** Applied at start; reset() returns to these. */
  settings?: SettingsPatch;
  region?: string;
  account?: string;
  onError?: (error: unknown) => void;
}

/** Partial settings as the control API accepts them: timings merge, the rest replaces. */
export interface SettingsPatch {
  timeScale?: number;
  timings?: Partial<Timings>;
  limits?: Limits;
  rateLimits?: Record<string, RateLimit>;
  faults?: Fault[];
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
  private readonly validators: Map<string, InputValidator>;
  private readonly operations = new Map<string, Handler>();
  private readonly registries: Registry<Resource>[];
  /** Monitoring executions outlive their schedules, so they are kept outside the registries. */
  private readonly clearHistory: () => void;
  readonly invoke: (invocation: Invocation) => Promise<InvocationResult>;

  constructor(options: EmulatorCoreOptions) {
    this.settings = defaultSettings(options.timeScale ?? 1);
    this.configure(options.settings ?? {});
    this.baseline = structuredClone(this.settings);
    const onError = options.onError ?? (() => undefined);
    const now = (): number => Date.now() / 1000;
    this.lifecycle = new Lifecycle(now, onError);
    this.s3 = new S3Effects(options.s3);
    this.validators = compileValidators(options.model);
    const scope: AccountScope = {
      partition: 'aws',
      region: options.region ?? 'us-east-1',
      account: options.account ?? '123456789012',
    };
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
    };
    const training = trainingJobs(ctx);
    const hosted = hosting(ctx);
    const processing = processingJobs(ctx);
    const transform = transformJobs(ctx, hosted.models);
    const monitor = monitoring(ctx, processing.start);
    this.clearHistory = monitor.clear;
    this.registries = [
      training.registry,
      hosted.models,
      hosted.endpointConfigs,
      hosted.endpoints,
      processing.registry,
      transform.registry,
      monitor.schedules,
      ...monitor.definitions,
    ] as Registry<Resource>[];
    const families = [
      training.operations,
      hosted.operations,
      processing.operations,
      transform.operations,
      monitor.operations,
      tagOperations(this.registries),
    ];
    for (const ops of families) {
      for (const [name, handler] of Object.entries(ops)) this.operations.set(name, handler);
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
    const invalid = validator(input);
    if (invalid) throw invalid;
    return await (handler as (input: unknown) => unknown)(input);
  }

  /** Rate limits first (a throttled call does nothing), then injected faults. */
  admit(operation: string): Admission {
    if (!this.throttle.take(operation, Date.now())) return { kind: 'throttled' };
    return pickFault(this.settings.faults, operation, Math.random);
  }

  configure(patch: SettingsPatch): EmulatorSettings {
    const s = this.settings;
    Object.assign(s, {
      timeScale: patch.timeScale ?? s.timeScale,
      timings: { ...s.timings, ...patch.timings },
      limits: patch.limits ?? s.limits,
      rateLimits: patch.rateLimits ?? s.rateLimits,
      faults: patch.faults ?? s.faults,
    });
    if (patch.rateLimits) this.throttle.configure(patch.rateLimits);
    return this.settings;
  }

  /** Forgets every resource, steer and logged call, and returns to the settings given at start. */
  reset(): void {
    this.lifecycle.stop();
    for (const registry of this.registries) registry.clear();
    this.clearHistory();
    this.steering.clear();
    this.calls.clear();
    Object.assign(this.settings, structuredClone(this.baseline));
    this.throttle.configure(this.settings.rateLimits);
  }

  stop(): void {
    this.lifecycle.stop();
    this.s3.destroy();
  }
}

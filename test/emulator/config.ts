import type { EventsSettings } from './events.js';

/**
 * How long each phase takes, in seconds of SageMaker time. Every duration is multiplied by one time
 * factor (`timeScale`), so a test can run a 10-minute endpoint creation in a few milliseconds.
 */
export interface Timings {
  trainingStarting: number;
  trainingDownloading: number;
  trainingTraining: number;
  trainingUploading: number;
  trainingStopping: number;
  trainingDeleting: number;
  endpointCreating: number;
  endpointUpdating: number;
  endpointRollingBack: number;
  endpointDeleting: number;
  scheduleActivating: number;
  /** The most an execution starts after its scheduled time; each one's lag is spread over 0..this. */
  executionStartLag: number;
  executionPending: number;
  executionRunning: number;
  processingRunning: number;
  processingStopping: number;
  transformRunning: number;
  transformStopping: number;
  /** AWS maintenance of an InService endpoint (SystemUpdating), when steered. */
  endpointSystemUpdating: number;
  /** Downloading and loading one model on a multi-model endpoint, at its first invocation. */
  multiModelLoading: number;
  /** From a tuning job's creation to the launch of its first training jobs. */
  tuningLaunching: number;
  /** A deleted tuning job stays Deleting this long. */
  tuningDeleting: number;
}

export const defaultTimings: Timings = {
  trainingStarting: 120,
  trainingDownloading: 60,
  trainingTraining: 600,
  trainingUploading: 30,
  trainingStopping: 30,
  trainingDeleting: 5,
  endpointCreating: 600,
  endpointUpdating: 600,
  endpointRollingBack: 120,
  endpointDeleting: 60,
  scheduleActivating: 60,
  executionStartLag: 1200,
  executionPending: 120,
  executionRunning: 300,
  processingRunning: 300,
  processingStopping: 30,
  transformRunning: 300,
  transformStopping: 30,
  endpointSystemUpdating: 300,
  multiModelLoading: 20,
  tuningLaunching: 60,
  tuningDeleting: 5,
};

/** Account quotas answered with ResourceLimitExceeded; absent means unlimited. */
export interface Limits {
  /** Training jobs InProgress or Stopping at the same time. */
  concurrentTrainingJobs?: number;
  /** Endpoints that exist (any status). */
  endpoints?: number;
  /** Sum of the instance counts of one endpoint's variants. */
  instancesPerEndpoint?: number;
  /** Processing jobs InProgress or Stopping at the same time (monitoring executions included). */
  concurrentProcessingJobs?: number;
  /** Transform jobs InProgress or Stopping at the same time. */
  concurrentTransformJobs?: number;
  /**
   * Instances of one type that one request may ask for (a training job, an endpoint's variants,
   * a transform or processing job). SageMaker's per-type quotas are never unlimited: absent means
   * `defaultInstancesPerType`.
   */
  instancesPerType?: number;
}

/** The per-instance-type quota that applies when `limits.instancesPerType` is not set. */
export const defaultInstancesPerType = 100;

/** A token bucket: `ratePerSecond` tokens are added per second, up to `burst`. */
export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

/** Injected trouble for calls matching `operation` ('*' or absent = every SageMaker operation). */
export type Fault =
  | { kind: 'error'; operation?: string; rate: number; status?: number; code?: string; count?: number }
  | { kind: 'latency'; operation?: string; rate: number; latencyMs: number; count?: number }
  | { kind: 'drop'; operation?: string; rate: number; count?: number };

/**
 * How much less kind than a local fake SageMaker is: its reads are eventually consistent and its
 * creates can land late. Durations in seconds of SageMaker time (× timeScale); 0 turns them off.
 */
export interface Consistency {
  /**
   * For this long after a create lands, Describe* of the new resource answers the kind's own
   * not-found error (training jobs, models, endpoint configs, endpoints, processing and transform
   * jobs, monitoring schedules, job definitions).
   */
  describeAfterCreate: number;
  /**
   * A Create* call is executed (and answered) this long after it arrives; it is executed even if
   * the client has gone away meanwhile, so a process killed mid-call meets its resource later.
   */
  createDelay: number;
}

export const defaultConsistency: Consistency = { describeAfterCreate: 0, createDelay: 0 };

/** Checks SageMaker makes that need S3 objects to exist; off by default (tests must upload them). */
export interface S3Checks {
  /**
   * CreateModel rejects a SingleModel container whose ModelDataUrl (or ModelDataSource S3Object)
   * is not in S3: `ValidationException: Could not find model data at s3://…`. A training job whose
   * S3 input channel has no object under its prefix fails while Downloading with `ClientError`.
   */
  inputsExist: boolean;
}

export interface EmulatorSettings {
  timeScale: number;
  timings: Timings;
  limits: Limits;
  /** Per operation name; the key '*' applies to every operation without its own entry. */
  rateLimits: Record<string, RateLimit>;
  faults: Fault[];
  consistency: Consistency;
  s3Checks: S3Checks;
  /**
   * SageMaker's clock minus the caller's, in seconds: every time SageMaker reports (CreationTime,
   * LastModifiedTime, ...) and every time filter it applies is on its own clock.
   */
  clockOffsetSeconds: number;
  /** Where SageMaker's state-change events go (EventBridge → SQS, events.ts); absent: nowhere. */
  events?: EventsSettings;
}

export const defaultSettings = (timeScale: number): EmulatorSettings => ({
  timeScale,
  timings: { ...defaultTimings },
  limits: {},
  rateLimits: {},
  faults: [],
  consistency: { ...defaultConsistency },
  s3Checks: { inputsExist: false },
  clockOffsetSeconds: 0,
});

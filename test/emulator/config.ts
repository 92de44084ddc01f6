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
  executionPending: number;
  executionRunning: number;
  processingRunning: number;
  processingStopping: number;
  transformRunning: number;
  transformStopping: number;
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
  executionPending: 120,
  executionRunning: 300,
  processingRunning: 300,
  processingStopping: 30,
  transformRunning: 300,
  transformStopping: 30,
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
}

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

export interface EmulatorSettings {
  timeScale: number;
  timings: Timings;
  limits: Limits;
  /** Per operation name; the key '*' applies to every operation without its own entry. */
  rateLimits: Record<string, RateLimit>;
  faults: Fault[];
}

export const defaultSettings = (timeScale: number): EmulatorSettings => ({
  timeScale,
  timings: { ...defaultTimings },
  limits: {},
  rateLimits: {},
  faults: [],
});

/** The controller runtime's public API: what controllers and the entry point use. */
export { defineController, done, requeueAfter, awaitChange } from './reconciler.js';
export type {
  ControllerDefinition,
  ReconcileContext,
  ReconcileResult,
  Reference,
  DeletionPolicy,
  ChangeFeed,
  ChangeSource,
} from './reconciler.js';
export { ReconcileError, classify, errorMessage } from './errors.js';
export type { Classification, Classifier, ErrorClass } from './errors.js';
export type { KindDescriptor, KubeObject, ObjectMeta, StoredMeta } from './kinds.js';
export type { CacheReader } from './cache.js';
export type { EventSink } from './events.js';
export type { StatusHelper } from './status.js';
export { findCondition } from './conditions.js';
export { pause, spread } from './backoff.js';
export type { Condition, ConditionStatus } from './conditions.js';
export { startOperator } from './operator.js';
export { ActingFence } from './fence.js';
export { currentLane } from './queue.js';
export type { Operator, OperatorOptions, LeaderElectionConfig } from './operator.js';
export { RuntimeMetrics } from './metrics.js';
export { FlagError } from './flags.js';
export { createLogger } from './logging.js';

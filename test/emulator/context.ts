import type { EmulatorSettings, Timings } from './config.js';
import type { EventKind } from './events.js';
import type { Lifecycle } from './lifecycle.js';
import type { AccountScope, Resource } from './resources.js';
import type { S3Effects } from './s3.js';
import type { Steering } from './steering.js';

/** The SDK's shapes as they travel in JSON: timestamps are epoch seconds. */
export type Wire<T> = T extends Date
  ? number
  : T extends Uint8Array
    ? string
    : T extends (infer U)[]
      ? Wire<U>[]
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;

/** An operation: receives the validated input, answers the output (or throws an ApiError). */
export type Handler = (input: never) => unknown;

/** What operation families share: the clock, the settings, side effects and steering. */
export interface Context {
  readonly scope: AccountScope;
  readonly settings: EmulatorSettings;
  readonly lifecycle: Lifecycle;
  readonly s3: S3Effects;
  readonly steering: Steering;
  /** Epoch seconds. */
  now(): number;
  /** Real seconds one phase takes: its SageMaker duration times the time factor. */
  timing(phase: keyof Timings): number;
  /** Real seconds for a SageMaker duration given in a request (e.g. MaxRuntimeInSeconds). */
  scaled(seconds: number): number;
  /** Reports a failure of background work (side effects) that no caller is waiting for. */
  reportError(error: unknown): void;
  /**
   * A resource's status (or a training job's secondary status) changed: its state-change event,
   * with `describe()` as it is now, goes to the events queue when one is set (events.ts). Call it
   * after every field of the change is set.
   */
  stateChanged(kind: EventKind, resource: Resource, describe: () => unknown): void;
}

/** Copies the request members that Describe echoes back, leaving out those it does not. */
export function echo<T extends object, K extends keyof T>(request: T, omit: readonly K[]): Omit<T, K> {
  return Object.fromEntries(
    Object.entries(request).filter(([key]) => !(omit as readonly string[]).includes(key)),
  ) as Omit<T, K>;
}

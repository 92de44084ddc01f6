/** How often the cloud is described: quickly around state changes, rarely at rest. */
export interface PollingSettings {
  /** First describe after a create or an update, and the floor of every describe of a changing resource. */
  minMs: number;
  /** Ceiling between describes of a changing resource that no sweep watches. */
  maxMs: number;
  /** Between describes of a finished job: only a deletion or a tag edit can change it. */
  finishedMs: number;
  /**
   * With change detection, the sweeps notice a changing resource's changes, and it is described
   * only this often, as a safety net. Undefined: no sweeps.
   */
  sweptMs?: number;
}

/**
 * The delay before the next describe of a resource that is changing state. Without sweeps, as long
 * as its current state has already lasted, within [minMs, maxMs]: short states are seen quickly, a
 * long state costs a number of describes that grows with the logarithm of its length. With sweeps,
 * sweptMs.
 */
export function pollDelay(stateAgeMs: number, settings: PollingSettings): number {
  return settings.sweptMs ?? Math.min(settings.maxMs, Math.max(settings.minMs, stateAgeMs));
}

/**
 * The settings for a resource whose next change is its disappearance: a deleted resource leaves
 * every List without a trace, so sweeps cannot notice it and it is polled as without them.
 */
export function untilGone(settings: PollingSettings): PollingSettings {
  return { ...settings, sweptMs: undefined };
}

/** The next look at a resource whose deletion was asked `deletionTimestamp`: as long as it has waited, bounded. */
export function deletionPollMs(
  deletionTimestamp: string | Date | undefined,
  settings: PollingSettings,
): number {
  const waited = Date.now() - new Date(deletionTimestamp ?? Date.now()).getTime();
  return pollDelay(waited, untilGone(settings));
}

/** How often the cloud is described: quickly around state changes, rarely at rest (DESIGN.md §5). */
export interface PollingSettings {
  /** First poll after a change, and the floor of every poll while a resource is changing. */
  minMs: number;
  /** Ceiling while a resource is changing. */
  maxMs: number;
}

/**
 * The delay before the next describe of a resource that is changing state: as long as its current
 * state has already lasted, within [minMs, maxMs]. Short states are seen quickly; a long state
 * costs a number of describes that grows with the logarithm of its length, not linearly.
 */
export function pollDelay(stateAgeMs: number, settings: PollingSettings): number {
  return Math.min(settings.maxMs, Math.max(settings.minMs, stateAgeMs));
}

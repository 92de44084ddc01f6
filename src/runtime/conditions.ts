/** metav1.Condition, as stored in status.conditions (a list-map keyed by type). */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/** metav1.Time is RFC 3339 with whole seconds. */
export function metaTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets one condition, keeping the list order. lastTransitionTime moves only when the status flips,
 * so re-asserting a condition produces an identical list (and therefore no status write).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: Date,
): Condition[] {
  const list = conditions ?? [];
  const existing = findCondition(list, update.type);
  const lastTransitionTime =
    existing && existing.status === update.status ? existing.lastTransitionTime : metaTime(now);
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    lastTransitionTime,
    ...(update.observedGeneration === undefined ? {} : { observedGeneration: update.observedGeneration }),
  };
  return existing ? list.map((c) => (c === existing ? next : c)) : [...list, next];
}

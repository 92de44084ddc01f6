import { setCondition } from './conditions.js';
import type { Condition, ConditionStatus, ConditionUpdate } from './conditions.js';
import { isPlainObject, mergePatch } from './json.js';
import type { KubeObject } from './kinds.js';
import type { ReconciledObject } from './kstatus.js';
import type { ObjectWriter } from './writer.js';

/** What a reconcile asked to change in status; re-applied as a whole on a fresh read after a conflict. */
export interface StatusChanges {
  readonly fields: ReadonlyMap<string, unknown>;
  readonly conditions: ReadonlyMap<string, ConditionUpdate>;
  readonly observedGeneration?: number;
  /** Conditions computed from the others (kstatus's), recomputed whenever anything changes. */
  readonly derive?: (conditions: readonly Condition[]) => readonly ConditionUpdate[];
}

/** Derives conditions from the others, for the generation a reconcile works on. */
export type ConditionDeriver = (
  conditions: readonly Condition[],
  obj: ReconciledObject,
) => readonly ConditionUpdate[];

type Status = Record<string, unknown>;

function statusOf(obj: KubeObject): Status {
  return isPlainObject(obj.status) ? obj.status : {};
}

/** The status that results from applying `changes` to `current` (pure). */
export function desiredStatus(current: Status, changes: StatusChanges, now: Date): Status {
  const next: Status = Object.fromEntries(
    Object.entries(current).filter(([key]) => !changes.fields.has(key)),
  );
  for (const [key, value] of changes.fields) if (value !== undefined) next[key] = value;
  if (changes.conditions.size > 0) {
    let conditions = Array.isArray(current.conditions) ? (current.conditions as Condition[]) : undefined;
    for (const update of changes.conditions.values()) conditions = setCondition(conditions, update, now);
    next.conditions = conditions;
  }
  if (changes.observedGeneration !== undefined) next.observedGeneration = changes.observedGeneration;
  if (changes.derive && hasChanges(changes)) {
    let conditions = Array.isArray(next.conditions) ? (next.conditions as Condition[]) : [];
    for (const update of changes.derive(conditions)) conditions = setCondition(conditions, update, now);
    next.conditions = conditions;
  }
  return next;
}

function hasChanges(changes: StatusChanges): boolean {
  return changes.fields.size > 0 || changes.conditions.size > 0 || changes.observedGeneration !== undefined;
}

/** The merge patch body for the status subresource, or undefined when status already is as desired. */
export function statusPatch(
  obj: KubeObject,
  changes: StatusChanges,
  now: Date,
): Record<string, unknown> | undefined {
  const current = statusOf(obj);
  const patch = mergePatch(current, desiredStatus(current, changes, now));
  return patch === undefined ? undefined : { status: patch };
}

/**
 * The status handle a reconcile gets. Changes accumulate and are written once when the reconcile
 * ends (the loop adds Synced and observedGeneration); `flush()` writes earlier, e.g. to record the
 * cloud name before a create call. Every write also recomputes the derived conditions (Reconciling,
 * Stalled). Nothing is written when the result equals the stored status.
 */
export class StatusHelper<S = Record<string, unknown>> {
  private readonly fields = new Map<string, unknown>();
  private readonly conditions = new Map<string, ConditionUpdate>();
  private observedGeneration: number | undefined;
  /**
   * The generation this reconcile works on. A write in the middle of the reconcile may come back with
   * a newer object (a spec edit meanwhile), but conditions and observedGeneration must not claim a
   * generation the reconcile never saw.
   */
  private generation: number | undefined;

  constructor(
    private obj: KubeObject,
    private readonly writer: ObjectWriter,
    /** Aborted when this reconcile may no longer write (lease lost, shutdown, reconcile deadline). */
    private readonly signal: AbortSignal,
    private readonly derive?: ConditionDeriver,
  ) {
    this.generation = obj.metadata?.generation;
  }

  /** Status as last read or written. */
  get current(): Partial<S> {
    return statusOf(this.obj) as Partial<S>;
  }

  /** The object as last read or written. */
  get object(): KubeObject {
    return this.obj;
  }

  /**
   * Continues from a newer version of the object that the loop itself wrote before the reconcile
   * started (adding the finalizer); the reconcile then works on that object's generation.
   */
  rebase(obj: KubeObject): void {
    this.obj = obj;
    this.generation = obj.metadata?.generation;
  }

  /** The generation the reconcile works on. */
  get reconciledGeneration(): number | undefined {
    return this.generation;
  }

  /** Sets top-level status fields; undefined removes a field. */
  set(fields: Partial<S>): void {
    for (const [key, value] of Object.entries(fields)) this.fields.set(key, value);
  }

  setCondition(type: string, status: ConditionStatus, reason: string, message = ''): void {
    const generation = this.generation;
    this.conditions.set(type, {
      type,
      status,
      reason,
      message,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    });
  }

  /** Marks the reconciled generation as processed (the loop does this after a reconcile). */
  observe(): void {
    this.observedGeneration = this.generation;
  }

  /** Writes what changed; returns the object as written or found, undefined when it is gone. */
  async flush(): Promise<KubeObject | undefined> {
    const changes: StatusChanges = {
      fields: this.fields,
      conditions: this.conditions,
      ...(this.observedGeneration === undefined ? {} : { observedGeneration: this.observedGeneration }),
    };
    const written = await this.writer.update(
      this.obj,
      'status',
      'status',
      (current) => statusPatch(current, this.withDerived(changes, current), new Date()),
      this.signal,
    );
    if (written) this.obj = written;
    return written;
  }

  private withDerived(changes: StatusChanges, current: KubeObject): StatusChanges {
    const derive = this.derive;
    if (!derive) return changes;
    const obj = { generation: this.generation, deleting: Boolean(current.metadata?.deletionTimestamp) };
    return { ...changes, derive: (conditions) => derive(conditions, obj) };
  }
}

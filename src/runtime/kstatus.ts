import { findCondition } from './conditions.js';
import type { Condition, ConditionUpdate } from './conditions.js';

/**
 * The kstatus conditions (sigs.k8s.io/cli-utils, read by Flux and kpt), abnormal-true: for a custom
 * resource kstatus decides on observedGeneration and these two, and falls back to Ready only when
 * neither is True (Ready=False then reads InProgress, never Failed, hence Stalled).
 */
export const RECONCILING = 'Reconciling';
export const STALLED = 'Stalled';

export interface ReconciledObject {
  /** The generation the reconcile worked on: conditions of another generation say nothing about it. */
  readonly generation: number | undefined;
  readonly deleting: boolean;
}

interface Cause {
  readonly reason: string;
  readonly message: string;
}

/**
 * Reconciling and Stalled, derived from the object's other conditions as they are being written (a
 * pure function: an unchanged object yields identical conditions, so no write at rest).
 *
 * - Stalled=True: Succeeded=False, or Synced=False or Ready=False with a reason in `terminalReasons`.
 * - otherwise Reconciling=True, unless Ready=True and Synced is not False;
 * - otherwise both False, reason `Current`.
 * Only conditions of `generation` (or without observedGeneration) count: a verdict on an older spec
 * neither stalls nor completes the new one.
 */
export function kstatusConditions(
  conditions: readonly Condition[] | undefined,
  obj: ReconciledObject,
  terminalReasons: ReadonlySet<string>,
): [reconciling: ConditionUpdate, stalled: ConditionUpdate] {
  const current = (type: string): Condition | undefined => {
    const c = findCondition(conditions, type);
    return c && (c.observedGeneration === undefined || c.observedGeneration === obj.generation)
      ? c
      : undefined;
  };
  const condition = (type: string, status: 'True' | 'False', cause: Cause): ConditionUpdate => ({
    type,
    status,
    reason: cause.reason,
    message: cause.message,
    ...(obj.generation === undefined ? {} : { observedGeneration: obj.generation }),
  });
  const failed = (c: Condition | undefined): c is Condition => c?.status === 'False';
  const terminal = (c: Condition | undefined): c is Condition => failed(c) && terminalReasons.has(c.reason);

  const succeeded = current('Succeeded');
  const synced = current('Synced');
  const ready = current('Ready');
  const stall = failed(succeeded)
    ? succeeded
    : terminal(synced)
      ? synced
      : terminal(ready)
        ? ready
        : undefined;
  if (stall) return [condition(RECONCILING, 'False', stall), condition(STALLED, 'True', stall)];

  if (!obj.deleting && ready?.status === 'True' && !failed(synced)) {
    const done = { reason: 'Current', message: ready.message };
    return [condition(RECONCILING, 'False', done), condition(STALLED, 'False', done)];
  }
  const progress = progressOf(obj, synced, ready);
  return [condition(RECONCILING, 'True', progress), condition(STALLED, 'False', progress)];
}

/** What the operator is doing: a retried error first (it says why nothing moves), then Ready. */
function progressOf(
  obj: ReconciledObject,
  synced: Condition | undefined,
  ready: Condition | undefined,
): Cause {
  if (obj.deleting)
    return {
      reason: 'Deleting',
      message: ready?.reason === 'Deleting' ? ready.message : 'the object is being deleted',
    };
  if (synced?.status === 'False') return synced;
  if (ready) return ready;
  return {
    reason: 'Progressing',
    message:
      obj.generation === undefined ? 'reconciling' : `reconciling generation ${String(obj.generation)}`,
  };
}

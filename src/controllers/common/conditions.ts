import { ReconcileError, type ConditionStatus } from '../../runtime/index.js';

/** A condition as a controller decides it; the runtime adds type, time and generation. */
export interface ConditionValue {
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** What status a decision about readiness writes to. */
interface ConditionSetter {
  setCondition(type: string, status: ConditionStatus, reason: string, message: string): void;
}

/** A reference to another object that cannot be used yet, or ever (as the spec writes it). */
export interface UnreadyReference {
  readonly type: 'waiting' | 'invalid';
  readonly message: string;
}

/** Ready=False InvalidSpec and the terminal error: nothing happens until the spec changes. */
export function invalidSpec(status: ConditionSetter, message: string): never {
  status.setCondition('Ready', 'False', 'InvalidSpec', message);
  throw new ReconcileError('terminal', 'InvalidSpec', message);
}

/**
 * Ready=False WaitingForReference while a referenced object is not ready: its changes trigger this
 * object through the controller's references, so the caller ends its reconcile without a requeue.
 * A reference that can never be satisfied as written is an invalid spec instead (throws).
 */
export function waitForReference(status: ConditionSetter, reference: UnreadyReference): void {
  if (reference.type === 'invalid') invalidSpec(status, reference.message);
  status.setCondition('Ready', 'False', 'WaitingForReference', reference.message);
}

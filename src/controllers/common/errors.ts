import { classifyAwsError, type AwsErrorClass } from '../../aws/errors.js';
import type { Classification, Classifier, ErrorClass } from '../../runtime/index.js';
import type { Reason } from './reasons.js';

/**
 * AWS's error classes as the controller loop sees an error that escaped a reconcile.
 * A Synced reason that waits for a spec change (SPEC_CHANGE_REASONS) only ever comes with a class
 * the loop does not retry.
 *
 * - A name taken (`alreadyExists`, `resourceInUse`) is handled where a create is made
 *   (createOrFind); one that escapes answered another call, e.g. a delete of a job still running,
 *   or a create just after our own delete: the resource is busy, look again at the polling interval.
 * - `notFound` that escapes did not come from a describe (those mean "absent"): a create or update
 *   naming a resource that does not exist, e.g. a role or a model. The spec must change.
 */
const RUNTIME_CLASSES: Readonly<Record<AwsErrorClass, { errorClass: ErrorClass; reason: Reason }>> = {
  throttled: { errorClass: 'throttled', reason: 'Throttled' },
  transient: { errorClass: 'transient', reason: 'SageMakerUnavailable' },
  busy: { errorClass: 'inProgress', reason: 'InProgress' },
  alreadyExists: { errorClass: 'inProgress', reason: 'InProgress' },
  resourceInUse: { errorClass: 'inProgress', reason: 'InProgress' },
  quota: { errorClass: 'quota', reason: 'QuotaExceeded' },
  notFound: { errorClass: 'terminal', reason: 'InvalidSpec' },
  accessDenied: { errorClass: 'accessDenied', reason: 'AccessDenied' },
  // Retrying cannot help until AWS opens the service to the account: no retry loop, only resyncs.
  closedToAccount: { errorClass: 'terminal', reason: 'AccessDenied' },
  invalid: { errorClass: 'terminal', reason: 'InvalidSpec' },
};

/** The operator's classifier (startOperator's `classifier`): AWS errors; anything else is left to the loop. */
export const classifyError: Classifier = (err: unknown): Classification | undefined => {
  const aws = classifyAwsError(err);
  if (!aws) return undefined;
  return { ...RUNTIME_CLASSES[aws.errorClass], message: aws.message };
};

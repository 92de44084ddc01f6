/**
 * The error vocabulary shared by the controller loop and the cloud-side classifier.
 * It is plain data: the loop decides requeue behaviour and conditions from the class; the classifier
 * (src/aws/errors.ts for SageMaker) decides the class from the error it sees.
 */
export type ErrorClass =
  | 'transient'
  | 'throttled'
  | 'inProgress'
  | 'quota'
  | 'notFound'
  | 'alreadyExists'
  | 'accessDenied'
  | 'terminal';

export interface Classification {
  readonly errorClass: ErrorClass;
  /** Stable CamelCase reason used for the Synced condition and Warning events. */
  readonly reason: string;
  readonly message: string;
  /** Replaces the loop's default delay for this class. */
  readonly retryAfterMs?: number;
}

/** Returns undefined for errors it does not recognise; the loop then treats them as transient. */
export type Classifier = (err: unknown) => Classification | undefined;

/** An error a reconcile function throws when it already knows the class, e.g. an invalid spec. */
export class ReconcileError extends Error implements Classification {
  override readonly name = 'ReconcileError';
  readonly errorClass: ErrorClass;
  readonly reason: string;
  readonly retryAfterMs?: number;

  constructor(
    errorClass: ErrorClass,
    reason: string,
    message: string,
    options?: { retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.errorClass = errorClass;
    this.reason = reason;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Applies the classifier, then ReconcileError, then the fallback "transient, ReconcileError". */
export function classify(err: unknown, classifier: Classifier | undefined): Classification {
  if (err instanceof ReconcileError) return err;
  const found = classifier?.(err);
  if (found) return found;
  return { errorClass: 'transient', reason: 'ReconcileError', message: errorMessage(err) };
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

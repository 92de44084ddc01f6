/**
 * The one classifier of AWS errors (docs/architecture.md). SageMaker reports
 * most conditions as an unmodeled ValidationException whose text carries the meaning, so errors are
 * matched on `name` and message, never with instanceof. The classes are AWS's own vocabulary; the
 * controllers map them once onto the runtime's (src/controllers/common/errors.ts).
 */

/**
 * - `throttled`: slow down and retry.
 * - `transient`: 5xx, network; retry with backoff.
 * - `busy`: the resource is in a state that refuses the call (e.g. an endpoint Updating); retry later.
 * - `quota`: an account quota (ResourceLimitExceeded); retry slowly.
 * - `notFound`: the resource named by the call does not exist.
 * - `alreadyExists`: "Cannot create already existing …": the name is taken.
 * - `resourceInUse`: ResourceInUse; the name is taken when it answers a create, the resource is busy
 *   otherwise. Only the caller knows which call it made (see createOrFind in ./resources.ts).
 * - `accessDenied`: IAM or credentials.
 * - `closedToAccount`: access denied because the service (or feature) is closed to accounts that did
 *   not use it before (Model Monitor, reference §4): no IAM fix helps, only AWS support.
 * - `invalid`: the request itself is wrong; retrying it cannot help.
 */
export type AwsErrorClass =
  | 'throttled'
  | 'transient'
  | 'busy'
  | 'quota'
  | 'notFound'
  | 'alreadyExists'
  | 'resourceInUse'
  | 'accessDenied'
  | 'closedToAccount'
  | 'invalid';

export interface AwsErrorClassification {
  readonly errorClass: AwsErrorClass;
  /** `<error name>: <AWS's message>`. */
  readonly message: string;
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'PriorRequestNotComplete',
]);

const ACCESS_DENIED_NAMES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);

const INVALID_SPEC_NAMES = new Set([
  'ValidationException',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
  'SerializationException',
]);

const TRANSIENT_NAMES = new Set([
  'InternalFailure',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ConflictException',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/* The model registry's texts: `ModelPackageGroup <arn> does not exist.`, `Model Package Group already exists: <arn>`. */
const NOT_FOUND_TEXT =
  /^(Requested resource not found|Could not find)|^ModelPackage(Group)? \S+ does not exist\.$/;
const ALREADY_EXISTS_TEXT = /^(Cannot create already existing|Model Package Group already exists)/;
/*
 * AWS's wording when it closes a service to new customers: "no longer open to new customers",
 * "only existing … customers can access the service". SageMaker does not publish Model Monitor's
 * refusal text; anything else that denies access stays accessDenied (retried slowly).
 */
const CLOSED_TO_ACCOUNT_TEXT = /\b(new|existing) customers\b/i;
const IN_PROGRESS_TEXT =
  /^Cannot update in-progress|in status Pending|^The request was rejected because the .* is in status/;

interface ErrorFacts {
  name: string;
  message: string;
  code: string | undefined;
  httpStatus: number | undefined;
}

function facts(err: unknown): ErrorFacts | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    Code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const name = typeof e.name === 'string' ? e.name : typeof e.Code === 'string' ? e.Code : '';
  const status = e.$metadata?.httpStatusCode;
  return {
    name,
    message: typeof e.message === 'string' ? e.message : '',
    code: typeof e.code === 'string' ? e.code : undefined,
    httpStatus: typeof status === 'number' ? status : undefined,
  };
}

function classification(errorClass: AwsErrorClass, f: ErrorFacts): AwsErrorClassification {
  const message = f.message || f.name || 'unknown error';
  const named = f.name && f.message && f.name !== UnreadableAnswer.name;
  return { errorClass, message: named ? `${f.name}: ${f.message}` : message };
}

/**
 * An answer the SDK could not parse (a proxy's HTML page, a truncated body): its HTTP status is all
 * that is known, so that is what it says, rather than the parser's complaint about the body.
 */
export class UnreadableAnswer extends Error {
  readonly $metadata: { httpStatusCode: number };

  constructor(service: string, operation: string, httpStatusCode: number, cause: unknown) {
    super(`${service} answered HTTP ${httpStatusCode} to ${operation}`, { cause });
    this.name = UnreadableAnswer.name;
    this.$metadata = { httpStatusCode };
  }
}

/** The error to report for a call whose answer could not be parsed; undefined for any other error. */
export function unreadableAnswer(
  err: unknown,
  service: string,
  operation: string,
): UnreadableAnswer | undefined {
  const f = facts(err);
  if (f?.name !== 'SyntaxError' || f.httpStatus === undefined) return undefined;
  return new UnreadableAnswer(service, operation, f.httpStatus, err);
}

/**
 * Classifies an error from an AWS SDK call. Returns undefined for errors that did not come from AWS
 * (e.g. a bug in a controller), so the caller's fallback applies.
 */
export function classifyAwsError(err: unknown): AwsErrorClassification | undefined {
  const f = facts(err);
  if (!f) return undefined;
  if (THROTTLING_NAMES.has(f.name) || f.httpStatus === 429) return classification('throttled', f);
  if (
    f.name === 'ResourceNotFound' ||
    f.name === 'NoSuchKey' ||
    f.name === 'NoSuchBucket' ||
    f.name === 'NotFound'
  )
    return classification('notFound', f);
  if (f.name === 'ValidationException' && NOT_FOUND_TEXT.test(f.message))
    return classification('notFound', f);
  if (f.name === 'ValidationException' && ALREADY_EXISTS_TEXT.test(f.message))
    return classification('alreadyExists', f);
  if (f.name === 'ResourceInUse') return classification('resourceInUse', f);
  if (f.name === 'ValidationException' && IN_PROGRESS_TEXT.test(f.message)) return classification('busy', f);
  if (f.name === 'ResourceLimitExceeded') return classification('quota', f);
  if (ACCESS_DENIED_NAMES.has(f.name))
    return classification(CLOSED_TO_ACCOUNT_TEXT.test(f.message) ? 'closedToAccount' : 'accessDenied', f);
  if (INVALID_SPEC_NAMES.has(f.name)) return classification('invalid', f);
  if (
    TRANSIENT_NAMES.has(f.name) ||
    (f.code !== undefined && NETWORK_CODES.has(f.code)) ||
    (f.httpStatus !== undefined && f.httpStatus >= 500)
  )
    return classification('transient', f);
  if (f.httpStatus !== undefined && f.httpStatus >= 400) return classification('invalid', f);
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return classifyAwsError(err)?.errorClass === 'notFound';
}

/** Whether S3 refused a conditional request because its condition (CopySourceIfMatch) no longer holds. */
export function isPreconditionFailed(err: unknown): boolean {
  const f = facts(err);
  return f?.name === 'PreconditionFailed' || f?.httpStatus === 412;
}

/** Whether an error that answered a create call says the name is taken. */
export function isNameTaken(err: unknown): boolean {
  const errorClass = classifyAwsError(err)?.errorClass;
  return errorClass === 'alreadyExists' || errorClass === 'resourceInUse';
}

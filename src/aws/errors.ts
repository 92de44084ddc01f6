import type { Classification } from '../runtime/errors.js';

/**
 * The one classifier of AWS errors (DESIGN.md §5, reference sagemaker-api.md §6). SageMaker reports
 * most conditions as an unmodeled ValidationException whose text carries the meaning, so errors are
 * matched on `name` and message, never with instanceof.
 */

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

const NOT_FOUND_TEXT = /^(Requested resource not found|Could not find)/;
const ALREADY_EXISTS_TEXT = /^Cannot create already existing/;
const IN_PROGRESS_TEXT =
  /^Cannot update in-progress|in status Pending|^The request was rejected because the .* is in status/;

/** Operation names of failed calls, recorded by the client middleware (clients.ts). */
const failedOperations = new WeakMap<object, string>();

export function recordOperation(err: unknown, operation: string): void {
  if (typeof err === 'object' && err !== null) failedOperations.set(err, operation);
}

export function operationOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? failedOperations.get(err) : undefined;
}

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

function classification(
  errorClass: Classification['errorClass'],
  reason: string,
  f: ErrorFacts,
): Classification {
  const message = f.message || f.name || 'unknown error';
  return { errorClass, reason, message: f.name && f.message ? `${f.name}: ${f.message}` : message };
}

/**
 * Classifies an error from an AWS SDK call. Returns undefined for errors that did not come from AWS
 * (e.g. a bug in a controller), so the caller's fallback applies.
 */
export function classifyAwsError(err: unknown): Classification | undefined {
  const f = facts(err);
  if (!f) return undefined;
  const operation = operationOf(err) ?? '';
  const isCreate = operation.startsWith('Create');

  if (THROTTLING_NAMES.has(f.name) || f.httpStatus === 429)
    return classification('throttled', 'Throttled', f);
  if (
    f.name === 'ResourceNotFound' ||
    f.name === 'NoSuchKey' ||
    f.name === 'NoSuchBucket' ||
    f.name === 'NotFound'
  )
    return classification('notFound', 'InvalidSpec', f);
  if (f.name === 'ValidationException' && NOT_FOUND_TEXT.test(f.message))
    return classification('notFound', 'InvalidSpec', f);
  if (f.name === 'ValidationException' && ALREADY_EXISTS_TEXT.test(f.message))
    return classification('alreadyExists', 'AlreadyExists', f);
  if (f.name === 'ResourceInUse')
    return isCreate
      ? classification('alreadyExists', 'AlreadyExists', f)
      : classification('inProgress', 'InProgress', f);
  if (f.name === 'ValidationException' && IN_PROGRESS_TEXT.test(f.message))
    return classification('inProgress', 'InProgress', f);
  if (f.name === 'ResourceLimitExceeded') return classification('quota', 'QuotaExceeded', f);
  if (ACCESS_DENIED_NAMES.has(f.name)) return classification('accessDenied', 'AccessDenied', f);
  if (INVALID_SPEC_NAMES.has(f.name)) return classification('terminal', 'InvalidSpec', f);
  if (
    TRANSIENT_NAMES.has(f.name) ||
    (f.code !== undefined && NETWORK_CODES.has(f.code)) ||
    (f.httpStatus !== undefined && f.httpStatus >= 500)
  )
    return classification('transient', 'SageMakerUnavailable', f);
  if (f.httpStatus !== undefined && f.httpStatus >= 400) return classification('terminal', 'InvalidSpec', f);
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return classifyAwsError(err)?.errorClass === 'notFound';
}

export function isAlreadyExists(err: unknown): boolean {
  return classifyAwsError(err)?.errorClass === 'alreadyExists';
}

export function isThrottling(err: unknown): boolean {
  return classifyAwsError(err)?.errorClass === 'throttled';
}

/** Reading Kubernetes API errors (client-node's ApiException carries the raw response text). */

export interface ApiStatus {
  code: number | undefined;
  reason: string | undefined;
  message: string;
}

export function apiStatus(err: unknown): ApiStatus | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown; message?: unknown };
  const code =
    typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (code === undefined) return undefined;
  let body: { reason?: unknown; message?: unknown } = {};
  if (typeof e.body === 'string') {
    try {
      body = JSON.parse(e.body) as typeof body;
    } catch {
      // not a Status document
    }
  } else if (typeof e.body === 'object' && e.body !== null) {
    body = e.body;
  }
  return {
    code,
    reason: typeof body.reason === 'string' ? body.reason : undefined,
    message: typeof body.message === 'string' ? body.message : typeof e.message === 'string' ? e.message : '',
  };
}

export function isApiStatus(err: unknown, code: number): boolean {
  return apiStatus(err)?.code === code;
}

export const isNotFoundError = (err: unknown): boolean => isApiStatus(err, 404);
export const isConflictError = (err: unknown): boolean => isApiStatus(err, 409);
export const isGoneError = (err: unknown): boolean => isApiStatus(err, 410);

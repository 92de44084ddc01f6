/** An error answered to the client in the wire format of the protocol that received the call. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const validation = (message: string): ApiError => new ApiError('ValidationException', message);
export const resourceNotFound = (message: string): ApiError => new ApiError('ResourceNotFound', message);
export const resourceInUse = (message: string): ApiError => new ApiError('ResourceInUse', message);
export const resourceLimitExceeded = (message: string): ApiError =>
  new ApiError('ResourceLimitExceeded', message);

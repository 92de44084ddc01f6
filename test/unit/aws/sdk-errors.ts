import { SageMakerServiceException } from '@aws-sdk/client-sagemaker';

/** The metadata of a client error as the SDK attaches it. */
export const meta = { $metadata: { httpStatusCode: 400 } };

/** An error the SDK has no class for, as it arrives: a SageMakerServiceException named by its code. */
export function unmodeled(name: string, message: string, httpStatusCode = 400): SageMakerServiceException {
  return new SageMakerServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

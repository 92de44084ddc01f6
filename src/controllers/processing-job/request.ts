import type { CreateProcessingJobRequest as Request, Tag } from '@aws-sdk/client-sagemaker';
import type { ProcessingJobSpec } from '../../crds/processing-job.js';
import { CreateProcessingJobRequest } from '../../crds/shapes/sagemaker.generated.js';
import { toRequest } from '../common/sagemaker-shape.js';

export type ProcessingInputs = NonNullable<ProcessingJobSpec['processingInputs']>;

/**
 * The CreateProcessingJob request for a spec whose inputs are `inputs` (each s3UriFrom resolved to
 * its s3Uri), under the given name and with the given tags.
 */
export function createProcessingJobRequest(
  spec: ProcessingJobSpec,
  inputs: ProcessingInputs,
  name: string,
  tags: Tag[],
): Request {
  return {
    ...(toRequest(CreateProcessingJobRequest, {
      ...spec,
      processingInputs: spec.processingInputs && inputs,
    }) as Omit<Request, 'ProcessingJobName'>),
    ProcessingJobName: name,
    Tags: tags,
  };
}

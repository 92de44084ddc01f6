import type { CreateProcessingJobRequest as Request, Tag } from '@aws-sdk/client-sagemaker';
import type { ProcessingJobSpec } from '../../crds/processing-job.js';
import { CreateProcessingJobRequest } from '../../crds/shapes/sagemaker.generated.js';
import { toRequest } from '../common/sagemaker-shape.js';

/** The CreateProcessingJob request for a spec (its s3UriFrom resolved), under the given name and with the given tags. */
export function createProcessingJobRequest(spec: ProcessingJobSpec, name: string, tags: Tag[]): Request {
  return {
    ...(toRequest(CreateProcessingJobRequest, spec) as Omit<Request, 'ProcessingJobName'>),
    ProcessingJobName: name,
    Tags: tags,
  };
}

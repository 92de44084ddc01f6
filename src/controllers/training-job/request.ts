import type { CreateTrainingJobRequest as Request, Tag } from '@aws-sdk/client-sagemaker';
import type { TrainingJobSpec } from '../../crds/training-job.js';
import { CreateTrainingJobRequest } from '../../crds/shapes/sagemaker.generated.js';
import { toRequest } from '../common/sagemaker-shape.js';

/** The CreateTrainingJob request for a spec, under the given name and with the given tags. */
export function createTrainingJobRequest(spec: TrainingJobSpec, name: string, tags: Tag[]): Request {
  return {
    ...(toRequest(CreateTrainingJobRequest, spec) as Omit<Request, 'TrainingJobName'>),
    TrainingJobName: name,
    Tags: tags,
  };
}

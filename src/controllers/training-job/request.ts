import type { CreateTrainingJobRequest, Tag } from '@aws-sdk/client-sagemaker';
import type { TrainingJobSpec } from '../../crds/training-job.js';
import { toSageMakerShape } from '../common/sagemaker-shape.js';

/** Spec fields that are the operator's, not CreateTrainingJob's. */
const KUBERNETES_ONLY = new Set(['region', 'deletionPolicy', 'tags', 'adoptExisting', 'trainingJobName']);
const USER_KEYED_MAPS = new Set(['hyperParameters', 'environment']);

/** The CreateTrainingJob request for a spec, under the given name and with the given tags. */
export function createTrainingJobRequest(
  spec: TrainingJobSpec,
  name: string,
  tags: Tag[],
): CreateTrainingJobRequest {
  const apiFields = Object.fromEntries(Object.entries(spec).filter(([key]) => !KUBERNETES_ONLY.has(key)));
  return {
    ...(toSageMakerShape(apiFields, USER_KEYED_MAPS) as Omit<CreateTrainingJobRequest, 'TrainingJobName'>),
    TrainingJobName: name,
    Tags: tags,
  };
}

import type { CreateTransformJobRequest as Request, Tag } from '@aws-sdk/client-sagemaker';
import type { TransformJobSpec } from '../../crds/transform-job.js';
import { CreateTransformJobRequest } from '../../crds/shapes/sagemaker.generated.js';
import { toRequest } from '../common/sagemaker-shape.js';

/** The CreateTransformJob request for a spec, on the given model, under the given name and tags. */
export function createTransformJobRequest(
  spec: TransformJobSpec,
  name: string,
  modelName: string,
  tags: Tag[],
): Request {
  return {
    ...(toRequest(CreateTransformJobRequest, spec) as Omit<Request, 'TransformJobName' | 'ModelName'>),
    TransformJobName: name,
    ModelName: modelName,
    Tags: tags,
  };
}

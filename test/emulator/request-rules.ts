import type {
  ContainerDefinition,
  CreateModelInput,
  CreateTrainingJobRequest,
  CreateTransformJobRequest,
} from '@aws-sdk/client-sagemaker';
import type { Wire } from './context.js';
import type { ApiError } from './errors.js';
import { validation } from './errors.js';

/*
 * What SageMaker documents of a request and its model does not express: members required only
 * without another one, members that exclude each other, limits over two members. Checked after the
 * model's own validation, before the operation runs. A member the service requires is refused in
 * the model's words ("Value null at ... Member must not be null"); the other texts quote the
 * member's documentation (see the README).
 */

type Rule = (input: never) => string | undefined;

const notNull = (path: string): string =>
  `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`;

function trainingJob(input: Wire<CreateTrainingJobRequest>): string | undefined {
  if (input.ServerlessJobConfig) return undefined;
  const algorithm = input.AlgorithmSpecification;
  if (!algorithm) return notNull('algorithmSpecification');
  if (algorithm.TrainingImage === undefined && algorithm.AlgorithmName === undefined)
    return 'You must specify either the algorithm name to the AlgorithmName parameter or the image URI of the algorithm container to the TrainingImage parameter.';
  if (algorithm.TrainingImage !== undefined && algorithm.AlgorithmName !== undefined)
    return 'The AlgorithmName parameter is mutually exclusive with the TrainingImage parameter.';
  const resources = input.ResourceConfig;
  if (!resources) return notNull('resourceConfig');
  if (!resources.InstanceGroups?.length) {
    if (resources.InstanceType === undefined) return notNull('resourceConfig.instanceType');
    if (resources.InstanceCount === undefined) return notNull('resourceConfig.instanceCount');
    if (resources.InstanceCount < 1)
      return `1 validation error detected: Value '${resources.InstanceCount}' at 'resourceConfig.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`;
  }
  const stopping = input.StoppingCondition;
  if (input.EnableManagedSpotTraining) {
    if (stopping?.MaxWaitTimeInSeconds === undefined)
      return notNull('stoppingCondition.maxWaitTimeInSeconds');
    if (stopping.MaxWaitTimeInSeconds < (stopping.MaxRuntimeInSeconds ?? 86_400))
      return 'MaxWaitTimeInSeconds must be equal to or greater than MaxRuntimeInSeconds.';
  }
  return undefined;
}

const containerWithoutImage = (container: Wire<ContainerDefinition>): boolean =>
  container.Image === undefined && container.ModelPackageName === undefined;

function model(input: Wire<CreateModelInput>): string | undefined {
  const containers = [
    ...(input.PrimaryContainer ? [input.PrimaryContainer] : []),
    ...(input.Containers ?? []),
  ];
  if (containers.some(containerWithoutImage))
    return 'A container must specify an Image or a ModelPackageName.';
  return undefined;
}

/** The model documents the default payload size (6 MB) and the product's limit. */
function transformJob(input: Wire<CreateTransformJobRequest>): string | undefined {
  const concurrent = input.MaxConcurrentTransforms;
  if (concurrent !== undefined && concurrent * (input.MaxPayloadInMB ?? 6) > 100)
    return 'The value of (MaxConcurrentTransforms * MaxPayloadInMB) cannot exceed 100 MB.';
  return undefined;
}

const RULES: Readonly<Record<string, Rule>> = {
  CreateTrainingJob: trainingJob,
  CreateModel: model,
  CreateTransformJob: transformJob,
};

/** SageMaker's refusal of a request that breaks a documented rule, or undefined. */
export function documentedRuleViolation(operation: string, input: unknown): ApiError | undefined {
  const rule = RULES[operation] as ((input: unknown) => string | undefined) | undefined;
  const message = rule?.(input);
  return message === undefined ? undefined : validation(message);
}

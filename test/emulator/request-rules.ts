import type {
  ContainerDefinition,
  CreateHyperParameterTuningJobRequest,
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

/** Neither or both of TrainingImage and AlgorithmName (training jobs and tuning job definitions). */
function algorithmSource(algorithm: { TrainingImage?: string; AlgorithmName?: string }): string | undefined {
  if (algorithm.TrainingImage === undefined && algorithm.AlgorithmName === undefined)
    return 'You must specify either the algorithm name to the AlgorithmName parameter or the image URI of the algorithm container to the TrainingImage parameter.';
  if (algorithm.TrainingImage !== undefined && algorithm.AlgorithmName !== undefined)
    return 'The AlgorithmName parameter is mutually exclusive with the TrainingImage parameter.';
  return undefined;
}

/** A spot job needs a wait time, at least as long as its runtime. */
function spotWait(
  spot: boolean | undefined,
  stopping: { MaxWaitTimeInSeconds?: number; MaxRuntimeInSeconds?: number } | undefined,
  path: string,
): string | undefined {
  if (!spot) return undefined;
  if (stopping?.MaxWaitTimeInSeconds === undefined) return notNull(`${path}.maxWaitTimeInSeconds`);
  if (stopping.MaxWaitTimeInSeconds < (stopping.MaxRuntimeInSeconds ?? 86_400))
    return 'MaxWaitTimeInSeconds must be equal to or greater than MaxRuntimeInSeconds.';
  return undefined;
}

function trainingJob(input: Wire<CreateTrainingJobRequest>): string | undefined {
  if (input.ServerlessJobConfig) return undefined;
  const algorithm = input.AlgorithmSpecification;
  if (!algorithm) return notNull('algorithmSpecification');
  const source = algorithmSource(algorithm);
  if (source) return source;
  const resources = input.ResourceConfig;
  if (!resources) return notNull('resourceConfig');
  if (!resources.InstanceGroups?.length) {
    if (resources.InstanceType === undefined) return notNull('resourceConfig.instanceType');
    if (resources.InstanceCount === undefined) return notNull('resourceConfig.instanceCount');
    if (resources.InstanceCount < 1)
      return `1 validation error detected: Value '${resources.InstanceCount}' at 'resourceConfig.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`;
  }
  return spotWait(input.EnableManagedSpotTraining, input.StoppingCondition, 'stoppingCondition');
}

type TuningRequest = Wire<CreateHyperParameterTuningJobRequest>;
type Ranges = NonNullable<NonNullable<TuningRequest['HyperParameterTuningJobConfig']>['ParameterRanges']>;

/** Numeric ranges whose bounds are not numbers, cross, or cannot be scaled logarithmically. */
function rangeProblem(ranges: Ranges | undefined): string | undefined {
  const numeric = [
    ...(ranges?.IntegerParameterRanges ?? []).map((r) => ({ ...r, integer: true })),
    ...(ranges?.ContinuousParameterRanges ?? []).map((r) => ({ ...r, integer: false })),
  ];
  for (const range of numeric) {
    const min = Number(range.MinValue);
    const max = Number(range.MaxValue);
    const name = range.Name ?? '';
    if (
      range.MinValue?.trim() === '' ||
      range.MaxValue?.trim() === '' ||
      !Number.isFinite(min) ||
      !Number.isFinite(max)
    )
      return `The MinValue and MaxValue of hyperparameter range ${name} must be numbers.`;
    if (range.integer && (!Number.isInteger(min) || !Number.isInteger(max)))
      return `The MinValue and MaxValue of integer hyperparameter range ${name} must be integers.`;
    if (min > max)
      return `The MinValue of hyperparameter range ${name} must not be greater than its MaxValue.`;
    if (range.ScalingType === 'Logarithmic' && min <= 0)
      return `Hyperparameter range ${name} uses Logarithmic scaling, which needs a MinValue greater than 0.`;
    if (range.ScalingType === 'ReverseLogarithmic' && (min < 0 || max >= 1))
      return `Hyperparameter range ${name} uses ReverseLogarithmic scaling, which needs values in [0, 1).`;
  }
  return undefined;
}

/**
 * What CreateHyperParameterTuningJob's documentation asks beyond the model: one way of defining the
 * training jobs, an objective for each, MaxNumberOfTrainingJobs unless the strategy is Grid (the
 * Python SDK fills 1 for the others), Grid on categorical ranges only, Hyperband without
 * TrainingJobEarlyStoppingType Auto ("must be OFF to use Hyperband") and StrategyConfig only with
 * Hyperband, plus each definition's training-job rules.
 */
function tuningJob(input: TuningRequest): string | undefined {
  const config = input.HyperParameterTuningJobConfig!;
  const single = input.TrainingJobDefinition;
  const several = input.TrainingJobDefinitions;
  if (!single && !several) return 'You must specify either TrainingJobDefinition or TrainingJobDefinitions.';
  if (single && several) return 'TrainingJobDefinition and TrainingJobDefinitions are mutually exclusive.';
  if (config.Strategy !== 'Grid' && config.ResourceLimits?.MaxNumberOfTrainingJobs === undefined)
    return notNull('hyperParameterTuningJobConfig.resourceLimits.maxNumberOfTrainingJobs');
  if (config.Strategy === 'Hyperband' && config.TrainingJobEarlyStoppingType === 'Auto')
    return 'TrainingJobEarlyStoppingType must be OFF to use Hyperband.';
  if (config.StrategyConfig && config.Strategy !== 'Hyperband')
    return 'StrategyConfig should be provided only if Hyperband is selected as the strategy.';
  const definitions = several ?? [single!];
  for (const [i, definition] of definitions.entries()) {
    const path = several ? `trainingJobDefinitions.${i + 1}.member` : 'trainingJobDefinition';
    const objective = several
      ? definition.TuningObjective
      : (definition.TuningObjective ?? config.HyperParameterTuningJobObjective);
    if (several && definition.DefinitionName === undefined) return notNull(`${path}.definitionName`);
    if (!objective && !input.Autotune)
      return notNull(
        several
          ? `${path}.tuningObjective`
          : 'hyperParameterTuningJobConfig.hyperParameterTuningJobObjective',
      );
    const algorithm = definition.AlgorithmSpecification!;
    const source = algorithmSource(algorithm);
    if (source) return source;
    const metrics = (algorithm.MetricDefinitions ?? []).map((m) => m.Name);
    if (objective && algorithm.TrainingImage !== undefined && !metrics.includes(objective.MetricName))
      return `The objective metric ${objective.MetricName ?? ''} must be one of the MetricDefinitions of a training image.`;
    if (!definition.ResourceConfig && !definition.HyperParameterTuningResourceConfig)
      return 'You must specify either ResourceConfig or HyperParameterTuningResourceConfig.';
    const ranges = definition.HyperParameterRanges ?? config.ParameterRanges;
    if (
      config.Strategy === 'Grid' &&
      (ranges?.IntegerParameterRanges?.length || ranges?.ContinuousParameterRanges?.length)
    )
      return 'The Grid strategy supports only categorical parameter ranges.';
    const problem = rangeProblem(ranges);
    if (problem) return problem;
    const tuned = new Set(
      [
        ...(ranges?.IntegerParameterRanges ?? []),
        ...(ranges?.ContinuousParameterRanges ?? []),
        ...(ranges?.CategoricalParameterRanges ?? []),
      ].map((r) => r.Name),
    );
    const both = Object.keys(definition.StaticHyperParameters ?? {}).find((key) => tuned.has(key));
    if (both !== undefined)
      return `Hyperparameter ${both} is both static and tunable; a hyperparameter can be only one of them.`;
    const spot = spotWait(
      definition.EnableManagedSpotTraining,
      definition.StoppingCondition,
      `${path}.stoppingCondition`,
    );
    if (spot) return spot;
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
  CreateHyperParameterTuningJob: tuningJob,
  CreateModel: model,
  CreateTransformJob: transformJob,
};

/** SageMaker's refusal of a request that breaks a documented rule, or undefined. */
export function documentedRuleViolation(operation: string, input: unknown): ApiError | undefined {
  const rule = RULES[operation] as ((input: unknown) => string | undefined) | undefined;
  const message = rule?.(input);
  return message === undefined ? undefined : validation(message);
}

import { describe, expect, it } from '@jest/globals';
import { documentedRuleViolation } from './request-rules.js';

const job = (extra: Record<string, unknown> = {}) => ({
  TrainingJobName: 'j',
  RoleArn: 'arn:aws:iam::123456789012:role/r',
  OutputDataConfig: { S3OutputPath: 's3://b/o' },
  AlgorithmSpecification: { TrainingImage: 'img', TrainingInputMode: 'File' },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 5 },
  ...extra,
});
const refusal = (operation: string, input: object) => documentedRuleViolation(operation, input)?.message;

describe('rules SageMaker documents beyond its model', () => {
  it('asks a serverless training job for neither algorithm nor instances', () => {
    const serverless = {
      ServerlessJobConfig: { BaseModelArn: 'arn', JobType: 'FineTuning' },
      AlgorithmSpecification: undefined,
      ResourceConfig: undefined,
    };
    expect(refusal('CreateTrainingJob', job(serverless))).toBeUndefined();
    expect(refusal('CreateTrainingJob', job({ AlgorithmSpecification: undefined }))).toContain(
      "Value null at 'algorithmSpecification'",
    );
  });

  it('takes instance groups instead of an instance type and count', () => {
    const groups = {
      InstanceGroups: [{ InstanceGroupName: 'g', InstanceType: 'ml.m5.large', InstanceCount: 2 }],
    };
    expect(refusal('CreateTrainingJob', job({ ResourceConfig: groups }))).toBeUndefined();
    expect(refusal('CreateTrainingJob', job({ ResourceConfig: { VolumeSizeInGB: 5 } }))).toContain(
      "Value null at 'resourceConfig.instanceType'",
    );
  });

  it('compares a spot wait with the runtime, one day when none is given', () => {
    const spot = (stopping: object) => job({ EnableManagedSpotTraining: true, StoppingCondition: stopping });
    expect(refusal('CreateTrainingJob', spot({ MaxWaitTimeInSeconds: 86_400 }))).toBeUndefined();
    expect(refusal('CreateTrainingJob', spot({ MaxWaitTimeInSeconds: 86_399 }))).toBe(
      'MaxWaitTimeInSeconds must be equal to or greater than MaxRuntimeInSeconds.',
    );
  });

  it('limits concurrent transforms times the payload only when concurrency is given, with the 6 MB default', () => {
    const transform = (extra: object) => ({ TransformJobName: 't', ModelName: 'm', ...extra });
    expect(refusal('CreateTransformJob', transform({ MaxPayloadInMB: 100 }))).toBeUndefined();
    expect(refusal('CreateTransformJob', transform({ MaxConcurrentTransforms: 16 }))).toBeUndefined();
    expect(refusal('CreateTransformJob', transform({ MaxConcurrentTransforms: 17 }))).toBe(
      'The value of (MaxConcurrentTransforms * MaxPayloadInMB) cannot exceed 100 MB.',
    );
  });

  it('takes a model package instead of an image, in every container of a pipeline', () => {
    const model = (containers: object[]) => ({ ModelName: 'm', Containers: containers });
    expect(refusal('CreateModel', model([{ Image: 'img' }, { ModelPackageName: 'p/1' }]))).toBeUndefined();
    expect(refusal('CreateModel', model([{ Image: 'img' }, { ModelDataUrl: 's3://b/m.tar.gz' }]))).toBe(
      'A container must specify an Image or a ModelPackageName.',
    );
  });
});

const tuning = (config: Record<string, unknown> = {}, definition: Record<string, unknown> = {}) => ({
  HyperParameterTuningJobName: 't',
  HyperParameterTuningJobConfig: {
    Strategy: 'Bayesian',
    HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'loss' },
    ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
    ParameterRanges: { IntegerParameterRanges: [{ Name: 'n', MinValue: '1', MaxValue: '9' }] },
    ...config,
  },
  TrainingJobDefinition: {
    RoleArn: 'arn:aws:iam::123456789012:role/r',
    OutputDataConfig: { S3OutputPath: 's3://b/o' },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    AlgorithmSpecification: {
      TrainingImage: 'img',
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'loss', Regex: 'loss=(.*)' }],
    },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 5 },
    ...definition,
  },
});

describe('tuning job rules', () => {
  const create = (input: object) => refusal('CreateHyperParameterTuningJob', input);

  it('takes a well-formed request', () => {
    expect(create(tuning())).toBeUndefined();
  });

  it('needs one way of defining the training jobs', () => {
    expect(create({ ...tuning(), TrainingJobDefinition: undefined })).toContain(
      'either TrainingJobDefinition',
    );
    const both = { ...tuning(), TrainingJobDefinitions: [tuning().TrainingJobDefinition] };
    expect(create(both)).toContain('mutually exclusive');
  });

  it('needs MaxNumberOfTrainingJobs unless the strategy is Grid, and Grid takes categorical ranges only', () => {
    const limits = { ResourceLimits: { MaxParallelTrainingJobs: 1 } };
    expect(create(tuning(limits))).toContain(
      "Value null at 'hyperParameterTuningJobConfig.resourceLimits.maxNumberOfTrainingJobs'",
    );
    expect(create(tuning({ ...limits, Strategy: 'Grid' }))).toContain('only categorical');
    const categorical = { ParameterRanges: { CategoricalParameterRanges: [{ Name: 'c', Values: ['a'] }] } };
    expect(create(tuning({ ...limits, ...categorical, Strategy: 'Grid' }))).toBeUndefined();
  });

  it('refuses Hyperband with Auto early stopping and a StrategyConfig without Hyperband', () => {
    expect(create(tuning({ Strategy: 'Hyperband', TrainingJobEarlyStoppingType: 'Auto' }))).toBe(
      'TrainingJobEarlyStoppingType must be OFF to use Hyperband.',
    );
    expect(create(tuning({ StrategyConfig: { HyperbandStrategyConfig: {} } }))).toContain(
      'only if Hyperband',
    );
  });

  it('checks objectives, ranges and static hyperparameters', () => {
    expect(create(tuning({ HyperParameterTuningJobObjective: undefined }))).toContain(
      "'hyperParameterTuningJobConfig.hyperParameterTuningJobObjective'",
    );
    expect(
      create(tuning({ HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'acc' } })),
    ).toContain('must be one of the MetricDefinitions');
    const crossed = {
      ParameterRanges: { IntegerParameterRanges: [{ Name: 'n', MinValue: '9', MaxValue: '1' }] },
    };
    expect(create(tuning(crossed))).toContain('must not be greater');
    expect(create(tuning({}, { StaticHyperParameters: { n: '3' } }))).toContain('both static and tunable');
  });
});

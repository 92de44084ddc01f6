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

import { CreateTrainingJobCommand, type CreateTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { role } from '../../emulator/test-harness.js';
import type { TrainingJobSpec } from '../../../src/crds/training-job.js';
import type { OperatorHarness } from '../support/operator.js';

/** A training job made outside the operator and tagged by someone else. */
export function foreignTrainingJob(h: OperatorHarness, name: string): Promise<CreateTrainingJobResponse> {
  return h.cloud.sagemaker.send(
    new CreateTrainingJobCommand({
      TrainingJobName: name,
      RoleArn: role,
      AlgorithmSpecification: { TrainingImage: 'img:1', TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: `s3://${h.cloud.bucket}/output` },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 5 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      Tags: [{ Key: 'owner', Value: 'someone-else' }],
    }),
  );
}

/** A valid TrainingJob spec that writes to the harness's bucket. */
export function trainingJobSpec(
  h: OperatorHarness,
  overrides: Partial<TrainingJobSpec> = {},
): TrainingJobSpec {
  return {
    roleArn: role,
    algorithmSpecification: { trainingImage: 'img:1', trainingInputMode: 'File' },
    outputDataConfig: { s3OutputPath: `s3://${h.cloud.bucket}/output` },
    resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
    ...overrides,
  };
}

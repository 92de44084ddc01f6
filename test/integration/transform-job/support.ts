import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelCommand } from '@aws-sdk/client-sagemaker';
import type { TransformJobSpec, TransformJobStatus } from '../../../src/crds/transform-job.js';
import { role } from '../../emulator/test-harness.js';
import type { KubeObjectOf, OperatorHarness } from '../support/operator.js';

export type TransformJob = KubeObjectOf<TransformJobSpec, TransformJobStatus>;
export const PLURAL = 'transformjobs';
export const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';

/** A model made outside the operator, for specs that name one. */
export async function existingModel(h: OperatorHarness, name: string): Promise<void> {
  await h.cloud.sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: role,
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://${h.cloud.bucket}/model/model.tar.gz` },
    }),
  );
}

/** Two CSV files under `batch/<prefix>/`, the input of a transform. */
export async function batchInput(h: OperatorHarness, prefix: string): Promise<string> {
  for (const file of ['a.csv', 'b.csv']) {
    await h.cloud.s3.send(
      new PutObjectCommand({ Bucket: h.cloud.bucket, Key: `batch/${prefix}/${file}`, Body: '1,2\n3,4\n' }),
    );
  }
  return `s3://${h.cloud.bucket}/batch/${prefix}`;
}

/** A transform of `input` with the model `modelName`, written to `results/<name>`. */
export function transformJobSpec(
  h: OperatorHarness,
  input: string,
  name: string,
  overrides: Partial<TransformJobSpec> = {},
): TransformJobSpec {
  return {
    modelName: 'batch-model',
    transformInput: {
      dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: input } },
      contentType: 'text/csv',
      splitType: 'Line',
    },
    transformOutput: { s3OutputPath: `s3://${h.cloud.bucket}/results/${name}`, assembleWith: 'Line' },
    transformResources: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
    ...overrides,
  };
}

/** A transform of `input` by a model created for it from the artifacts of the TrainingJob `trainingJob`. */
export function transformFromTraining(
  h: OperatorHarness,
  input: string,
  name: string,
  trainingJob: string,
): TransformJobSpec {
  const { modelName: _named, ...spec } = transformJobSpec(h, input, name);
  return {
    ...spec,
    model: {
      executionRoleArn: role,
      primaryContainer: { image: IMAGE, modelDataFrom: { trainingJobRef: { name: trainingJob } } },
    },
  };
}

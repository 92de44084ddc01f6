import type { EndpointSpec } from '../../../../src/crds/endpoint.js';

export const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
export const ARTIFACT = 's3://bucket/out/train-job/output/model.tar.gz';

/** Two models, one from a TrainingJob, served by two weighted variants. */
export const spec: EndpointSpec = {
  models: [
    {
      modelName: 'current',
      primaryContainer: { image: 'xgboost:1', modelDataFrom: { trainingJobRef: { name: 'train-job' } } },
      executionRoleArn: ROLE,
    },
    {
      modelName: 'challenger',
      containers: [
        { image: 'pre:1', environment: { SAGEMAKER_program: 'pre.py' } },
        { image: 'xgboost:2', modelDataUrl: 's3://bucket/v2/model.tar.gz', mode: 'SingleModel' },
      ],
      executionRoleArn: ROLE,
      inferenceExecutionConfig: { mode: 'Serial' },
    },
  ],
  productionVariants: [
    {
      variantName: 'Current',
      modelName: 'current',
      instanceType: 'ml.m5.large',
      initialInstanceCount: 2,
      initialVariantWeight: 0.9,
    },
    {
      variantName: 'Challenger',
      modelName: 'challenger',
      instanceType: 'ml.m5.large',
      initialInstanceCount: 1,
      initialVariantWeight: 0.1,
    },
  ],
  kmsKeyId: 'alias/hosting',
  dataCaptureConfig: {
    initialSamplingPercentage: 50,
    destinationS3Uri: 's3://bucket/capture',
    captureOptions: [{ captureMode: 'Input' }],
  },
  tags: { team: 'ml' },
};

export const artifacts = new Map([['train-job', ARTIFACT]]);

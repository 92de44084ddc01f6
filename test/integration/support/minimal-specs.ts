/** The smallest spec each kind accepts, for tests about what all kinds share. */
export const MINIMAL_SPECS: Record<string, Record<string, unknown>> = {
  TrainingJob: {
    roleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
    algorithmSpecification: {
      trainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1',
      trainingInputMode: 'File',
    },
    outputDataConfig: { s3OutputPath: 's3://bucket/output' },
    resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
  },
  Endpoint: {},
  MonitoringSchedule: {},
  MultiModelSet: {},
};

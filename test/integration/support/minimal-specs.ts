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
  Endpoint: {
    models: [
      {
        modelName: 'model',
        primaryContainer: {
          image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1',
          modelDataUrl: 's3://bucket/model/model.tar.gz',
        },
        executionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
      },
    ],
    productionVariants: [
      {
        variantName: 'AllTraffic',
        modelName: 'model',
        instanceType: 'ml.m5.xlarge',
        initialInstanceCount: 1,
      },
    ],
  },
  MonitoringSchedule: {
    monitoringType: 'DataQuality',
    endpointName: 'endpoint',
    schedule: { scheduleExpression: 'cron(0 * ? * * *)' },
    dataQualityJobDefinition: {
      dataQualityAppSpecification: {},
      dataQualityJobInput: {},
      dataQualityJobOutputConfig: {
        monitoringOutputs: [
          { s3Output: { s3Uri: 's3://bucket/reports', localPath: '/opt/ml/processing/output' } },
        ],
      },
      jobResources: { clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 20 } },
      roleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
    },
  },
  MultiModelSet: {
    modelDataPrefix: 's3://bucket/models/',
    models: [{ name: 'model', s3Uri: 's3://bucket/model/model.tar.gz' }],
  },
  TransformJob: {
    modelName: 'model',
    transformInput: { dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: 's3://bucket/input' } } },
    transformOutput: { s3OutputPath: 's3://bucket/output' },
    transformResources: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
  },
  ProcessingJob: {
    roleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
    appSpecification: { imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn:1' },
    processingResources: {
      clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
    },
  },
  ModelPackageGroup: {},
  ModelPackage: {
    modelPackageGroupName: 'churn',
    inferenceSpecification: {
      containers: [{ image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1' }],
    },
  },
};

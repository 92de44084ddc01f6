import { describe, expect, it } from '@jest/globals';
import { createTrainingJobRequest } from '../../../../src/controllers/training-job/request.js';
import type { TrainingJobSpec } from '../../../../src/crds/training-job.js';

const spec: TrainingJobSpec = {
  roleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
  algorithmSpecification: { trainingImage: 'img:1', trainingInputMode: 'File' },
  hyperParameters: { max_depth: '5', eta: '0.2' },
  environment: { MY_VAR: 'x' },
  inputDataConfig: [
    {
      channelName: 'train',
      dataSource: {
        s3DataSource: {
          s3DataType: 'S3Prefix',
          s3Uri: 's3://b/train',
          s3DataDistributionType: 'FullyReplicated',
        },
      },
      contentType: 'text/csv',
    },
  ],
  outputDataConfig: { s3OutputPath: 's3://b/out', kmsKeyId: 'alias/out' },
  resourceConfig: {
    instanceType: 'ml.m5.xlarge',
    instanceCount: 1,
    volumeSizeInGB: 5,
    volumeKmsKeyId: 'alias/vol',
  },
  vpcConfig: { securityGroupIds: ['sg-1'], subnets: ['subnet-1'] },
  enableNetworkIsolation: true,
  region: 'eu-west-1',
  deletionPolicy: 'Retain',
  tags: { team: 'ml' },
  trainingJobName: 'explicit',
  adoptExisting: false,
};

describe('createTrainingJobRequest', () => {
  const request = createTrainingJobRequest(spec, 'ns-job', [
    { Key: 'mlops.dev/owner', Value: 'TrainingJob/ns/job' },
  ]);

  it('capitalises every SageMaker member, at every depth', () => {
    expect(request.ResourceConfig).toEqual({
      InstanceType: 'ml.m5.xlarge',
      InstanceCount: 1,
      VolumeSizeInGB: 5,
      VolumeKmsKeyId: 'alias/vol',
    });
    expect(request.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3Uri).toBe('s3://b/train');
    expect(request.VpcConfig).toEqual({ SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] });
    expect(request.EnableNetworkIsolation).toBe(true);
  });

  it("keeps the user's own keys of hyperparameters and environment", () => {
    expect(request.HyperParameters).toEqual({ max_depth: '5', eta: '0.2' });
    expect(request.Environment).toEqual({ MY_VAR: 'x' });
  });

  it('uses the given name and tags and leaves out Kubernetes-only fields', () => {
    expect(request.TrainingJobName).toBe('ns-job');
    expect(request.Tags).toEqual([{ Key: 'mlops.dev/owner', Value: 'TrainingJob/ns/job' }]);
    for (const field of ['Region', 'DeletionPolicy', 'AdoptExisting'])
      expect(request).not.toHaveProperty(field);
  });
});

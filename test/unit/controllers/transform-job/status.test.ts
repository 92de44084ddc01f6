import { describe, expect, it } from '@jest/globals';
import { transformJobView } from '../../../../src/controllers/transform-job/view.js';
import { observedTransformJobStatus } from '../../../../src/controllers/transform-job/observed-status.js';
import { createTransformJobRequest } from '../../../../src/controllers/transform-job/request.js';
import { observedProcessingJobStatus } from '../../../../src/controllers/processing-job/observed-status.js';
import type { TransformJobSpec } from '../../../../src/crds/transform-job.js';

const started = new Date('2026-11-27T10:00:00.123Z');
const ended = new Date('2026-11-27T10:05:00Z');

describe('TransformJob', () => {
  it('sends the model it was prepared with, never the inline one', () => {
    const spec: TransformJobSpec = {
      model: { executionRoleArn: 'arn:aws:iam::123456789012:role/R', primaryContainer: { image: 'img:1' } },
      transformInput: { dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: 's3://b/in' } } },
      transformOutput: { s3OutputPath: 's3://b/out', kmsKeyId: 'alias/out' },
      transformResources: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeKmsKeyId: 'alias/vol' },
      tags: { team: 'ml' },
      deletionPolicy: 'Retain',
    };
    const request = createTransformJobRequest(spec, 'ns-job', 'ns-job-1a2b', [{ Key: 'k', Value: 'v' }]);
    expect(request).toEqual({
      TransformJobName: 'ns-job',
      ModelName: 'ns-job-1a2b',
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/in' } } },
      TransformOutput: { S3OutputPath: 's3://b/out', KmsKeyId: 'alias/out' },
      TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeKmsKeyId: 'alias/vol' },
      Tags: [{ Key: 'k', Value: 'v' }],
    });
  });

  it('is paced by its end, else its start, else its creation (it reports no LastModifiedTime)', () => {
    const base = {
      TransformJobName: 'j',
      TransformJobArn: 'arn',
      ModelName: 'm',
      TransformJobStatus: 'InProgress' as const,
      CreationTime: started,
      TransformInput: undefined,
      TransformResources: undefined,
    };
    expect(transformJobView(base).stateSince).toBe(started);
    expect(transformJobView({ ...base, TransformStartTime: ended }).stateSince).toBe(ended);
  });

  it('mirrors status, output path and times', () => {
    expect(
      observedTransformJobStatus({
        TransformJobName: 'j',
        TransformJobArn: 'arn',
        TransformJobStatus: 'Failed',
        FailureReason: 'ClientError: bad input',
        ModelName: 'm',
        TransformOutput: { S3OutputPath: 's3://b/out' },
        TransformStartTime: started,
        TransformEndTime: ended,
        CreationTime: started,
        TransformInput: undefined,
        TransformResources: undefined,
      }),
    ).toEqual({
      transformJobName: 'j',
      transformJobArn: 'arn',
      transformJobStatus: 'Failed',
      failureReason: 'ClientError: bad input',
      modelName: 'm',
      outputPath: 's3://b/out',
      transformStartTime: '2026-11-27T10:00:00Z',
      transformEndTime: '2026-11-27T10:05:00Z',
    });
  });
});

describe('ProcessingJob status', () => {
  it("mirrors the outputs' S3 URIs and the exit message", () => {
    const status = observedProcessingJobStatus({
      ProcessingJobName: 'p',
      ProcessingJobArn: 'arn',
      ProcessingJobStatus: 'Completed',
      ExitMessage: 'done',
      ProcessingOutputConfig: {
        Outputs: [
          {
            OutputName: 'train',
            S3Output: { S3Uri: 's3://b/train', LocalPath: '/t', S3UploadMode: 'EndOfJob' },
          },
          { OutputName: 'features', FeatureStoreOutput: { FeatureGroupName: 'fg' } },
        ],
      },
      CreationTime: started,
      ProcessingResources: undefined,
      AppSpecification: undefined,
    });
    expect(status).toMatchObject({
      exitMessage: 'done',
      outputs: [{ outputName: 'train', s3Uri: 's3://b/train' }],
    });
  });
});

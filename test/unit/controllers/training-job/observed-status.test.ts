import { describe, expect, it } from '@jest/globals';
import {
  cloudWatchLogsUrl,
  observedTrainingJobStatus,
} from '../../../../src/controllers/training-job/observed-status.js';

describe('observedTrainingJobStatus', () => {
  it('mirrors what DescribeTrainingJob reports, with RFC 3339 times', () => {
    const status = observedTrainingJobStatus(
      {
        TrainingJobName: 'ns-job',
        TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/ns-job',
        TrainingJobStatus: 'Completed',
        SecondaryStatus: 'Completed',
        ModelArtifacts: { S3ModelArtifacts: 's3://b/out/ns-job/output/model.tar.gz' },
        TrainingStartTime: new Date('2026-01-01T00:00:10.500Z'),
        TrainingEndTime: new Date('2026-01-01T00:10:00Z'),
        BillableTimeInSeconds: 590,
        FinalMetricDataList: [
          { MetricName: 'validation:rmse', Value: 1.5, Timestamp: new Date('2026-01-01T00:09:00Z') },
        ],
        SecondaryStatusTransitions: [{ Status: 'Starting', StartTime: new Date('2026-01-01T00:00:00Z') }],
        CreationTime: new Date('2026-01-01T00:00:00Z'),
        StoppingCondition: {},
      },
      'us-east-1',
    );
    expect(status).toMatchObject({
      trainingJobName: 'ns-job',
      trainingJobStatus: 'Completed',
      modelArtifacts: { s3ModelArtifacts: 's3://b/out/ns-job/output/model.tar.gz' },
      trainingStartTime: '2026-01-01T00:00:10Z',
      trainingEndTime: '2026-01-01T00:10:00Z',
      billableTimeInSeconds: 590,
      finalMetricDataList: [{ metricName: 'validation:rmse', value: 1.5, timestamp: '2026-01-01T00:09:00Z' }],
      secondaryStatusTransitions: [{ status: 'Starting', startTime: '2026-01-01T00:00:00Z' }],
    });
  });

  it('links the log streams of the job in the CloudWatch console', () => {
    expect(cloudWatchLogsUrl('eu-west-1', 'ns-job')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs$3FlogStreamNameFilter$3Dns-job',
    );
  });
});

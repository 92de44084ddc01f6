import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import type { TrainingJobStatus } from '../../crds/training-job.js';
import { isoTime } from '../common/sagemaker-shape.js';

const TRANSITIONS_KEPT = 10;

/** What DescribeTrainingJob reports, in the status shape users read (everything but conditions). */
export function observedTrainingJobStatus(
  job: DescribeTrainingJobResponse,
  region: string,
): Omit<TrainingJobStatus, 'conditions' | 'observedGeneration'> {
  const name = job.TrainingJobName ?? '';
  return {
    trainingJobName: name,
    trainingJobArn: job.TrainingJobArn,
    trainingJobStatus: job.TrainingJobStatus,
    secondaryStatus: job.SecondaryStatus,
    secondaryStatusTransitions: job.SecondaryStatusTransitions?.slice(-TRANSITIONS_KEPT).map((t) => ({
      status: t.Status ?? '',
      startTime: isoTime(t.StartTime) ?? '',
      endTime: isoTime(t.EndTime),
      statusMessage: t.StatusMessage,
    })),
    failureReason: job.FailureReason,
    modelArtifacts: job.ModelArtifacts?.S3ModelArtifacts
      ? { s3ModelArtifacts: job.ModelArtifacts.S3ModelArtifacts }
      : undefined,
    trainingStartTime: isoTime(job.TrainingStartTime),
    trainingEndTime: isoTime(job.TrainingEndTime),
    lastModifiedTime: isoTime(job.LastModifiedTime),
    billableTimeInSeconds: job.BillableTimeInSeconds,
    finalMetricDataList: job.FinalMetricDataList?.map((m) => ({
      metricName: m.MetricName ?? '',
      value: m.Value ?? 0,
      timestamp: isoTime(m.Timestamp),
    })),
    logsUrl: cloudWatchLogsUrl(region, name),
  };
}

/** The job's log streams in the CloudWatch console (log group /aws/sagemaker/TrainingJobs). */
export function cloudWatchLogsUrl(region: string, jobName: string): string {
  const group = encodeURIComponent(encodeURIComponent('/aws/sagemaker/TrainingJobs')).replace(/%/g, '$');
  const filter = encodeURIComponent(`?logStreamNameFilter=${jobName}`).replace(/%/g, '$');
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${group}${filter}`;
}

import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import type { JobView } from '../common/job-states.js';

/**
 * What the job lifecycle reads of a training job. Its secondary status (Starting, Downloading,
 * Training, …) is shown and paced by: SecondaryStatusTransitions tells when it began.
 */
export function trainingJobView(job: DescribeTrainingJobResponse): JobView {
  return {
    name: job.TrainingJobName ?? '',
    arn: job.TrainingJobArn,
    state: job.TrainingJobStatus,
    detail: job.SecondaryStatus,
    failureReason: job.FailureReason,
    stateSince: job.SecondaryStatusTransitions?.at(-1)?.StartTime ?? job.LastModifiedTime ?? job.CreationTime,
  };
}

import type { DescribeTrainingJobResponse, TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import type { TrainingJobStatus } from '../../crds/training-job.js';
import { isoTime } from '../common/sagemaker-shape.js';
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

/** What ListTrainingJobs tells of a job: its state, secondary status and when they changed. */
export function listedTrainingJob(job: TrainingJobSummary): {
  view: JobView;
  status: Partial<TrainingJobStatus>;
} {
  return {
    view: {
      name: job.TrainingJobName ?? '',
      arn: job.TrainingJobArn,
      state: job.TrainingJobStatus,
      detail: job.SecondaryStatus,
      stateSince: job.LastModifiedTime,
    },
    status: {
      trainingJobStatus: job.TrainingJobStatus,
      secondaryStatus: job.SecondaryStatus,
      lastModifiedTime: isoTime(job.LastModifiedTime),
    },
  };
}

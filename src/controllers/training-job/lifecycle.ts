import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { jobConditions, type JobConditions, type JobView } from '../common/job-states.js';

/** What a training job is called in messages and events. */
export const TRAINING_JOB = 'training job';

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

/** Ready and Succeeded (DESIGN.md §3) for what DescribeTrainingJob reports. */
export function trainingJobConditions(job: DescribeTrainingJobResponse): JobConditions {
  return jobConditions(TRAINING_JOB, trainingJobView(job));
}

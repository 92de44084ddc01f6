import type { DescribeProcessingJobResponse } from '@aws-sdk/client-sagemaker';
import type { JobView } from '../common/job-states.js';

/** What the job lifecycle reads of a processing job. */
export function processingJobView(job: DescribeProcessingJobResponse): JobView {
  return {
    name: job.ProcessingJobName ?? '',
    arn: job.ProcessingJobArn,
    state: job.ProcessingJobStatus,
    failureReason: job.FailureReason,
    stateSince: job.LastModifiedTime ?? job.ProcessingStartTime ?? job.CreationTime,
  };
}

import type { DescribeTransformJobResponse } from '@aws-sdk/client-sagemaker';
import type { JobView } from '../common/job-states.js';

/** What the job lifecycle reads of a transform job: it reports no time of its last change but these. */
export function transformJobView(job: DescribeTransformJobResponse): JobView {
  return {
    name: job.TransformJobName ?? '',
    arn: job.TransformJobArn,
    state: job.TransformJobStatus,
    failureReason: job.FailureReason,
    stateSince: job.TransformEndTime ?? job.TransformStartTime ?? job.CreationTime,
  };
}

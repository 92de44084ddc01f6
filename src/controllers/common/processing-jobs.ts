import {
  DeleteProcessingJobCommand,
  DescribeProcessingJobCommand,
  StopProcessingJobCommand,
  type DescribeProcessingJobResponse,
} from '@aws-sdk/client-sagemaker';
import type { JobView } from './job-states.js';
import type { JobCalls } from './managed-job.js';

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

/**
 * SageMaker's processing jobs, described, stopped and deleted by name: a ProcessingJob's, and the
 * baselining job a MonitoringSchedule runs.
 */
export const processingJobCalls: JobCalls<DescribeProcessingJobResponse> = {
  label: 'processing job',
  describe: (sagemaker, name, cancel) =>
    sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }), cancel),
  stop: (sagemaker, name, cancel) =>
    sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: name }), cancel),
  delete: (sagemaker, name, cancel) =>
    sagemaker.send(new DeleteProcessingJobCommand({ ProcessingJobName: name }), cancel),
  view: processingJobView,
};

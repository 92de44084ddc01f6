import {
  CreateProcessingJobCommand,
  ListProcessingJobsCommand,
  type DescribeProcessingJobResponse,
  type ProcessingJobSummary,
} from '@aws-sdk/client-sagemaker';
import {
  processingJob,
  processingJobDescriptor,
  type ProcessingJobObject,
  type ProcessingJobSpec,
  type ProcessingJobStatus,
} from '../../crds/processing-job.js';
import { defineController } from '../../runtime/index.js';
import { listedPage, modifiedAfter, type KindControllerOptions } from '../common/change-detection.js';
import { jobLifecycle, type JobKind } from '../common/job-lifecycle.js';
import { processingJobCalls } from '../common/processing-jobs.js';
import { observedProcessingJobStatus } from './observed-status.js';
import { createProcessingJobRequest } from './request.js';

/** SageMaker processing jobs, for the job lifecycle: stopped, then deleted once terminal. */
const processingJobs: JobKind<
  ProcessingJobSpec,
  ProcessingJobStatus,
  DescribeProcessingJobResponse,
  ProcessingJobSummary
> = {
  ...processingJobCalls,
  kind: processingJob.kind,
  nameField: 'processingJobName',
  arnField: 'processingJobArn',
  stateField: 'processingJobStatus',
  create: async (sagemaker, spec, name, tags, cancel) =>
    (
      await sagemaker.send(
        new CreateProcessingJobCommand(createProcessingJobRequest(spec, name, tags)),
        cancel,
      )
    ).ProcessingJobArn,
  listModifiedAfter: async (sagemaker, after, nextToken, cancel) => {
    const page = await sagemaker.send(new ListProcessingJobsCommand(modifiedAfter(after, nextToken)), cancel);
    return listedPage(page.ProcessingJobSummaries, (job) => job.ProcessingJobName, page.NextToken);
  },
  observedStatus: observedProcessingJobStatus,
};

/** Reconciles ProcessingJob objects with SageMaker processing jobs, through the job lifecycle. */
export function processingJobController(options: KindControllerOptions) {
  return defineController<ProcessingJobObject, ProcessingJobStatus>({
    kind: processingJobDescriptor,
    ...jobLifecycle<
      ProcessingJobObject,
      ProcessingJobSpec,
      ProcessingJobStatus,
      DescribeProcessingJobResponse,
      ProcessingJobSummary
    >(processingJobs, options),
  });
}

import {
  CreateProcessingJobCommand,
  DeleteProcessingJobCommand,
  DescribeProcessingJobCommand,
  ListProcessingJobsCommand,
  StopProcessingJobCommand,
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
import { processingJobView } from './view.js';
import { observedProcessingJobStatus } from './observed-status.js';
import { createProcessingJobRequest } from './request.js';

/** SageMaker processing jobs, for the job lifecycle: stopped, then deleted once terminal. */
const processingJobs: JobKind<
  ProcessingJobSpec,
  ProcessingJobStatus,
  DescribeProcessingJobResponse,
  ProcessingJobSummary
> = {
  kind: processingJob.kind,
  label: 'processing job',
  nameField: 'processingJobName',
  arnField: 'processingJobArn',
  stateField: 'processingJobStatus',
  describe: (sagemaker, name, cancel) =>
    sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }), cancel),
  create: async (sagemaker, spec, name, tags, cancel) =>
    (
      await sagemaker.send(
        new CreateProcessingJobCommand(createProcessingJobRequest(spec, name, tags)),
        cancel,
      )
    ).ProcessingJobArn,
  stop: (sagemaker, name, cancel) =>
    sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: name }), cancel),
  delete: (sagemaker, name, cancel) =>
    sagemaker.send(new DeleteProcessingJobCommand({ ProcessingJobName: name }), cancel),
  listModifiedAfter: async (sagemaker, after, nextToken, cancel) => {
    const page = await sagemaker.send(new ListProcessingJobsCommand(modifiedAfter(after, nextToken)), cancel);
    return listedPage(page.ProcessingJobSummaries, (job) => job.ProcessingJobName, page.NextToken);
  },
  view: processingJobView,
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

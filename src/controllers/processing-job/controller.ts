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
  type ProcessingJobSpec,
  type ProcessingJobStatus,
} from '../../crds/processing-job.js';
import { trainingJob } from '../../crds/training-job.js';
import { defineController, type KubeObject } from '../../runtime/index.js';
import { listedPage, modifiedAfter, type KindControllerOptions } from '../common/change-detection.js';
import { jobLifecycle, type JobKind } from '../common/job-lifecycle.js';
import { descriptorOf } from '../common/kinds.js';
import type { TrainingJobObject } from '../training-job/controller.js';
import { referencedJobs, resolvedInputs } from './inputs.js';
import { processingJobView } from './lifecycle.js';
import { observedProcessingJobStatus } from './observed-status.js';
import { createProcessingJobRequest, type ProcessingInputs } from './request.js';
import type { StoredMeta } from '../common/managed-resource.js';

export interface ProcessingJobObject extends KubeObject {
  metadata: StoredMeta;
  spec: ProcessingJobSpec;
  status?: ProcessingJobStatus;
}

const trainingJobKind = descriptorOf<TrainingJobObject>(trainingJob);
const processingJobKind = descriptorOf<ProcessingJobObject>(processingJob);

/** SageMaker processing jobs, for the job lifecycle: stopped, then deleted once terminal. */
const processingJobs: JobKind<
  ProcessingJobSpec,
  ProcessingJobStatus,
  DescribeProcessingJobResponse,
  ProcessingJobSummary,
  ProcessingInputs
> = {
  kind: processingJob.kind,
  label: 'processing job',
  nameField: 'processingJobName',
  arnField: 'processingJobArn',
  stateField: 'processingJobStatus',
  describe: (sagemaker, name, cancel) =>
    sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }), cancel),
  prepare: ({ obj, ctx }) => {
    const { namespace } = obj.metadata;
    return Promise.resolve(
      resolvedInputs(obj.spec, {
        trainingJob: (name) => ctx.cache.get(trainingJobKind, namespace, name)?.status,
        processingJob: (name) => ctx.cache.get(processingJobKind, namespace, name),
      }),
    );
  },
  create: async (sagemaker, spec, name, tags, cancel, inputs) =>
    (
      await sagemaker.send(
        new CreateProcessingJobCommand(createProcessingJobRequest(spec, inputs, name, tags)),
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

/** Reconciles ProcessingJob objects with SageMaker processing jobs (DESIGN.md §4-6). */
export function processingJobController(options: KindControllerOptions) {
  return defineController<ProcessingJobObject, ProcessingJobStatus>({
    kind: processingJobKind,
    ...jobLifecycle<
      ProcessingJobObject,
      ProcessingJobSpec,
      ProcessingJobStatus,
      DescribeProcessingJobResponse,
      ProcessingJobSummary,
      ProcessingInputs
    >(processingJobs, options),
    references: [
      { kind: trainingJobKind, names: (obj) => referencedJobs(obj.spec).trainingJobs },
      { kind: processingJobKind, names: (obj) => referencedJobs(obj.spec).processingJobs },
    ],
  });
}

import {
  CreateTransformJobCommand,
  DescribeTransformJobCommand,
  ListTransformJobsCommand,
  StopTransformJobCommand,
  type DescribeTransformJobResponse,
  type TransformJobSummary,
} from '@aws-sdk/client-sagemaker';
import { trainingJobDescriptor } from '../../crds/training-job.js';
import {
  transformJob,
  transformJobDescriptor,
  type TransformJobObject,
  type TransformJobSpec,
  type TransformJobStatus,
} from '../../crds/transform-job.js';
import { defineController } from '../../runtime/index.js';
import { listedPage, modifiedAfter, type KindControllerOptions } from '../common/change-detection.js';
import { jobLifecycle, type JobKind } from '../common/job-lifecycle.js';
import { modelTrainingJobs } from '../common/models.js';
import { transformJobView } from './view.js';
import { preparedModel, releaseModels } from './model.js';
import { observedTransformJobStatus } from './observed-status.js';
import { createTransformJobRequest } from './request.js';

/**
 * SageMaker transform jobs, for the job lifecycle. There is no DeleteTransformJob: a stopped or
 * finished job's record stays, and only the model made for it is deleted.
 */
const transformJobs: JobKind<
  TransformJobSpec,
  TransformJobStatus,
  DescribeTransformJobResponse,
  TransformJobSummary,
  string
> = {
  kind: transformJob.kind,
  label: 'transform job',
  nameField: 'transformJobName',
  arnField: 'transformJobArn',
  stateField: 'transformJobStatus',
  describe: (sagemaker, name, cancel) =>
    sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: name }), cancel),
  prepare: (job) =>
    preparedModel(
      job,
      (name) => job.ctx.cache.get(trainingJobDescriptor, job.obj.metadata.namespace, name)?.status,
    ),
  release: releaseModels,
  create: async (sagemaker, spec, name, tags, cancel, modelName) =>
    (
      await sagemaker.send(
        new CreateTransformJobCommand(createTransformJobRequest(spec, name, modelName, tags)),
        cancel,
      )
    ).TransformJobArn,
  stop: (sagemaker, name, cancel) =>
    sagemaker.send(new StopTransformJobCommand({ TransformJobName: name }), cancel),
  listModifiedAfter: async (sagemaker, after, nextToken, cancel) => {
    const page = await sagemaker.send(new ListTransformJobsCommand(modifiedAfter(after, nextToken)), cancel);
    return listedPage(page.TransformJobSummaries, (job) => job.TransformJobName, page.NextToken);
  },
  view: transformJobView,
  observedStatus: observedTransformJobStatus,
};

/** Reconciles TransformJob objects with SageMaker transform jobs, through the job lifecycle. */
export function transformJobController(options: KindControllerOptions) {
  return defineController<TransformJobObject, TransformJobStatus>({
    kind: transformJobDescriptor,
    ...jobLifecycle<
      TransformJobObject,
      TransformJobSpec,
      TransformJobStatus,
      DescribeTransformJobResponse,
      TransformJobSummary,
      string
    >(transformJobs, options),
    references: [
      {
        kind: trainingJobDescriptor,
        names: (obj) => modelTrainingJobs(obj.spec.model ? [obj.spec.model] : []),
      },
    ],
  });
}

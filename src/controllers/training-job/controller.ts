import {
  CreateTrainingJobCommand,
  DeleteTrainingJobCommand,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  StopTrainingJobCommand,
  type DescribeTrainingJobResponse,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import {
  trainingJob,
  trainingJobDescriptor,
  type TrainingJobObject,
  type TrainingJobSpec,
  type TrainingJobStatus,
} from '../../crds/training-job.js';
import { defineController } from '../../runtime/index.js';
import { listedPage, modifiedAfter, type KindControllerOptions } from '../common/change-detection.js';
import { jobLifecycle, type JobKind } from '../common/job-lifecycle.js';
import { listedTrainingJob, trainingJobView } from './view.js';
import { observedTrainingJobStatus } from './observed-status.js';
import { createTrainingJobRequest } from './request.js';

/** SageMaker training jobs, for the job lifecycle. */
const trainingJobs: JobKind<
  TrainingJobSpec,
  TrainingJobStatus,
  DescribeTrainingJobResponse,
  TrainingJobSummary
> = {
  kind: trainingJob.kind,
  label: 'training job',
  nameField: 'trainingJobName',
  arnField: 'trainingJobArn',
  stateField: 'trainingJobStatus',
  describe: (sagemaker, name, cancel) =>
    sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }), cancel),
  create: async (sagemaker, spec, name, tags, cancel) =>
    (await sagemaker.send(new CreateTrainingJobCommand(createTrainingJobRequest(spec, name, tags)), cancel))
      .TrainingJobArn,
  stop: (sagemaker, name, cancel) =>
    sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: name }), cancel),
  delete: (sagemaker, name, cancel) =>
    sagemaker.send(new DeleteTrainingJobCommand({ TrainingJobName: name }), cancel),
  listModifiedAfter: async (sagemaker, after, nextToken, cancel) => {
    const page = await sagemaker.send(new ListTrainingJobsCommand(modifiedAfter(after, nextToken)), cancel);
    return listedPage(page.TrainingJobSummaries, (job) => job.TrainingJobName, page.NextToken);
  },
  view: trainingJobView,
  observedStatus: observedTrainingJobStatus,
  // The summary has the status and secondary status: a running job's progress needs no describe.
  summaries: { lastModifiedField: 'lastModifiedTime', read: listedTrainingJob },
};

/** Reconciles TrainingJob objects with SageMaker training jobs, through the job lifecycle. */
export function trainingJobController(options: KindControllerOptions) {
  return defineController<TrainingJobObject, TrainingJobStatus>({
    kind: trainingJobDescriptor,
    ...jobLifecycle<
      TrainingJobObject,
      TrainingJobSpec,
      TrainingJobStatus,
      DescribeTrainingJobResponse,
      TrainingJobSummary
    >(trainingJobs, options),
  });
}

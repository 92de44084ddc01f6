import type {
  CreateTrainingJobRequest,
  DeleteTrainingJobRequest,
  DescribeTrainingJobRequest,
  DescribeTrainingJobResponse,
  ListTrainingJobsRequest,
  MetricData,
  ProfilerConfig,
  ProfilingStatus,
  SecondaryStatus,
  SecondaryStatusTransition,
  StopTrainingJobRequest,
  TrainingJobStatus,
  UpdateTrainingJobRequest,
  WarmPoolStatus,
} from '@aws-sdk/client-sagemaker';
import type { Context, Handler, Wire } from './context.js';
import { echo } from './context.js';
import type { ApiError } from './errors.js';
import { resourceInUse, resourceLimitExceeded, resourceNotFound, validation } from './errors.js';
import type { Transition } from './lifecycle.js';
import { settleAll } from './lifecycle.js';
import { list } from './listing.js';
import { quotaMessage } from './quotas.js';
import type { Resource } from './resources.js';
import { newResource, Registry } from './resources.js';
import { joinS3, parseS3Uri } from './s3.js';
import { tagsFrom } from './tags.js';
import { tarGz } from './tarball.js';
import { checkInstancesPerType } from './quotas.js';
import { createHash } from 'node:crypto';

/** A stable value in [0, 1) for a job's metric: the same job and metric always report the same. */
export function metricValue(jobName: string, metricName: string): number {
  const digest = createHash('sha256').update(`${jobName}/${metricName}`).digest();
  return Math.round((digest.readUInt32BE(0) / 2 ** 32) * 1e4) / 1e4;
}

export interface TrainingJob extends Resource {
  request: Wire<CreateTrainingJobRequest>;
  status: TrainingJobStatus;
  secondaryStatus: SecondaryStatus;
  transitions: Wire<SecondaryStatusTransition>[];
  failureReason?: string;
  trainingStartTime?: number;
  trainingEndTime?: number;
  warmPool?: Wire<WarmPoolStatus>;
  /** Set for a job a hyperparameter tuning job launched (tuning.ts). */
  tuning?: TuningLink;
}

/** What ties a training job to the tuning job that launched it. */
export interface TuningLink {
  tuningJobArn: string;
  launch: number;
  definitionName?: string | undefined;
  /** The hyperparameters picked from the ranges (TunedHyperParameters). */
  tuned: Record<string, string>;
  /** The objective metric the job reports in FinalMetricDataList. */
  objective: { metricName: string; value: number };
  /** Replaces the steer of the job's name: fails, or is stopped early (Stopped, its metric reported). */
  outcome?: { failed: true; failureReason?: string | undefined } | { earlyStopped: true };
  /** Called after every status change of the job. */
  onChange(job: TrainingJob): void;
}

/** The objective metric a tuning job's training job reported, if it reported one. */
export const objectiveReported = (job: TrainingJob): boolean =>
  job.status === 'Completed' ||
  (job.status === 'Stopped' && job.tuning?.outcome !== undefined && 'earlyStopped' in job.tuning.outcome);

const statusMessages: Partial<Record<SecondaryStatus, string>> = {
  Starting: 'Launching requested ML instances',
  Downloading: 'Downloading input data',
  Training: 'Training image download completed. Training in progress.',
  Uploading: 'Uploading generated training model',
  Completed: 'Training job completed',
  Failed: 'Training job failed',
  Stopping: 'Stopping the training job',
  Stopped: 'Training job stopped',
  MaxRuntimeExceeded: 'Training job stopped because it exceeded MaxRuntimeInSeconds',
};

const defaultMaxRuntime = 86_400;
const defaultFailure = 'AlgorithmError: The training script exited with a non-zero exit code (1).';
const active: TrainingJobStatus[] = ['InProgress', 'Stopping'];

export const notFound = (): ApiError => validation('Requested resource not found.');

/**
 * What DescribeTrainingJob reports for members the request left out: SageMaker fills them in with
 * its defaults (the flags false, GZIP output without a KMS key, FullyReplicated channels without
 * compression, rules on a volume size of 0, an instance count of 0 beside instance groups).
 */
export function withServerDefaults(
  request: Omit<Wire<CreateTrainingJobRequest>, 'Tags' | 'SessionChainingConfig'>,
): Omit<Wire<CreateTrainingJobRequest>, 'Tags' | 'SessionChainingConfig'> {
  const algorithm = request.AlgorithmSpecification;
  return {
    ...request,
    ...(algorithm && {
      AlgorithmSpecification: { EnableSageMakerMetricsTimeSeries: false, ...algorithm },
    }),
    ...(request.OutputDataConfig && {
      OutputDataConfig: { CompressionType: 'GZIP', KmsKeyId: '', ...request.OutputDataConfig },
    }),
    ...(request.ResourceConfig?.InstanceGroups?.length && {
      ResourceConfig: { InstanceCount: 0, ...request.ResourceConfig },
    }),
    ...(request.DebugRuleConfigurations && {
      DebugRuleConfigurations: request.DebugRuleConfigurations.map((rule) => ({
        VolumeSizeInGB: 0,
        ...rule,
      })),
    }),
    ...(request.ProfilerRuleConfigurations && {
      ProfilerRuleConfigurations: request.ProfilerRuleConfigurations.map((rule) => ({
        VolumeSizeInGB: 0,
        ...rule,
      })),
    }),
    ...(request.InputDataConfig && {
      InputDataConfig: request.InputDataConfig.map((channel) => ({
        CompressionType: 'None',
        RecordWrapperType: 'None',
        ...channel,
        ...(channel.DataSource?.S3DataSource && {
          DataSource: {
            ...channel.DataSource,
            S3DataSource: { S3DataDistributionType: 'FullyReplicated', ...channel.DataSource.S3DataSource },
          },
        }),
      })),
    }),
    ...(request.CheckpointConfig && {
      CheckpointConfig: { LocalPath: '/opt/ml/checkpoints/', ...request.CheckpointConfig },
    }),
    EnableNetworkIsolation: request.EnableNetworkIsolation ?? false,
    EnableInterContainerTrafficEncryption: request.EnableInterContainerTrafficEncryption ?? false,
    EnableManagedSpotTraining: request.EnableManagedSpotTraining ?? false,
  };
}

/** Profiling is on while the job has a ProfilerConfig that does not disable it. */
const profiling = (config: Wire<ProfilerConfig> | undefined): ProfilingStatus =>
  config && !config.DisableProfiler ? 'Enabled' : 'Disabled';

export const modelArtifactsUri = (job: TrainingJob): string =>
  joinS3(job.request.OutputDataConfig!.S3OutputPath!, job.name, 'output', 'model.tar.gz');

export function trainingJobs(ctx: Context): {
  registry: Registry<TrainingJob>;
  operations: Record<string, Handler>;
  launch: (input: Wire<CreateTrainingJobRequest>, tuning?: TuningLink) => TrainingJob;
  stop: (job: TrainingJob) => void;
} {
  const registry = new Registry<TrainingJob>('training-job', ctx.scope, notFound);

  const enter = (job: TrainingJob, status: TrainingJobStatus, secondary: SecondaryStatus): void => {
    const now = ctx.now();
    const previous = job.status;
    const last = job.transitions.at(-1);
    if (last) last.EndTime = now;
    job.transitions.push({ Status: secondary, StartTime: now, StatusMessage: statusMessages[secondary] });
    job.status = status;
    job.secondaryStatus = secondary;
    job.lastModifiedTime = now;
    if (secondary !== 'Starting') job.trainingStartTime ??= now;
    if (status !== 'InProgress' && status !== 'Stopping') {
      job.trainingEndTime = now;
      if (last) job.transitions.at(-1)!.EndTime = now;
    }
    ctx.stateChanged('TrainingJob', job, () => describe(job));
    if (job.status !== previous) job.tuning?.onChange(job);
  };

  const stopping = (job: TrainingJob, final: SecondaryStatus): void => {
    enter(job, 'Stopping', 'Stopping');
    ctx.lifecycle.plan(job, [
      {
        at: ctx.now() + ctx.timing('trainingStopping'),
        run: () => {
          enter(job, 'Stopped', final);
        },
      },
    ]);
  };

  const complete = async (job: TrainingJob): Promise<void> => {
    const uri = modelArtifactsUri(job);
    const model = JSON.stringify({
      trainingJobName: job.name,
      hyperParameters: job.request.HyperParameters ?? {},
    });
    try {
      await ctx.s3.put(uri, tarGz({ 'model.json': model }, ctx.now()), 'application/x-gzip');
    } catch (error) {
      job.failureReason = `ClientError: Unable to upload the model artifacts to ${uri}: ${(error as Error).message}`;
      enter(job, 'Failed', 'Failed');
      return;
    }
    const keepAlive = job.request.ResourceConfig?.KeepAlivePeriodInSeconds ?? 0;
    // Set before the status, so the Completed event's detail reports the warm pool.
    if (keepAlive > 0) job.warmPool = { Status: 'Available', ResourceRetainedBillableTimeInSeconds: 0 };
    enter(job, 'Completed', 'Completed');
    if (keepAlive > 0) planWarmPoolEnd(job, keepAlive);
  };

  const planWarmPoolEnd = (job: TrainingJob, keepAlive: number): void => {
    ctx.lifecycle.plan(job, [
      {
        at: ctx.now() + ctx.scaled(keepAlive),
        run: () => {
          job.warmPool = { Status: 'Terminated', ResourceRetainedBillableTimeInSeconds: keepAlive };
        },
      },
    ]);
  };

  const startTraining = async (job: TrainingJob): Promise<void> => {
    for (const channel of job.request.InputDataConfig ?? []) {
      const uri = channel.DataSource?.S3DataSource?.S3Uri;
      if (uri === undefined) continue;
      // A manifest names one object; S3Prefix and Converse name a key prefix.
      const type = channel.DataSource?.S3DataSource?.S3DataType;
      const prefix = type !== 'ManifestFile' && type !== 'AugmentedManifestFile';
      // A bucket that does not exist answers an error: as missing as an empty prefix.
      const found = await (
        prefix ? ctx.s3.list(uri).then((uris) => uris.length > 0) : ctx.s3.exists(uri)
      ).catch(() => false);
      if (!found) {
        const { bucket } = parseS3Uri(uri);
        job.failureReason = `ClientError: No S3 objects found under S3 URL "${uri}" given in input data source. Please ensure that the bucket exists in the selected region (${ctx.scope.region}), that objects exist under that S3 prefix, and that the role "${job.request.RoleArn ?? ''}" has "s3:ListBucket" permissions on bucket "${bucket}".`;
        enter(job, 'Failed', 'Failed');
        ctx.lifecycle.plan(job, []);
        return;
      }
    }
    enter(job, 'InProgress', 'Training');
  };

  /** The run from creation to its end, cut short by MaxRuntimeInSeconds or a steered outcome. */
  const planRun = (job: TrainingJob): void => {
    const link = job.tuning?.outcome;
    const steer =
      link === undefined
        ? ctx.steering.get('TrainingJob', job.name)
        : 'failed' in link
          ? { outcome: 'Failed' as const, failureReason: link.failureReason }
          : undefined;
    const phases: [SecondaryStatus, number][] = [
      ['Starting', ctx.timing('trainingStarting')],
      ...(job.request.AlgorithmSpecification?.TrainingInputMode === 'Pipe'
        ? []
        : ([['Downloading', ctx.timing('trainingDownloading')]] as [SecondaryStatus, number][])),
      ['Training', ctx.timing('trainingTraining')],
      ['Uploading', ctx.timing('trainingUploading')],
    ];
    const transitions: Transition[] = [];
    let at = job.creationTime;
    let trainingEnds = at;
    for (const [i, [secondary, seconds]] of phases.entries()) {
      if (i > 0)
        transitions.push({
          at,
          run: () => {
            // The input data is fetched before training starts: missing objects fail the job here.
            if (secondary === 'Training' && ctx.settings.s3Checks.inputsExist) return startTraining(job);
            enter(job, 'InProgress', secondary);
          },
        });
      at += seconds;
      if (secondary === 'Training') trainingEnds = at;
    }
    const maxRuntime = ctx.scaled(job.request.StoppingCondition?.MaxRuntimeInSeconds ?? defaultMaxRuntime);
    const deadline =
      steer?.outcome === 'MaxRuntimeExceeded'
        ? trainingEnds - ctx.timing('trainingTraining') / 2
        : job.creationTime + maxRuntime;
    if (link && 'earlyStopped' in link && deadline > trainingEnds) {
      // Stopped by the tuning job halfway through training, as Auto early stopping does.
      const stopAt = trainingEnds - ctx.timing('trainingTraining') / 2;
      ctx.lifecycle.plan(job, [
        ...transitions.filter((t) => t.at < stopAt),
        {
          at: stopAt,
          run: () => {
            stopping(job, 'Stopped');
          },
        },
      ]);
    } else if (at > deadline) {
      ctx.lifecycle.plan(job, [
        ...transitions.filter((t) => t.at < deadline),
        {
          at: deadline,
          run: () => {
            stopping(job, 'MaxRuntimeExceeded');
          },
        },
      ]);
    } else if (steer?.outcome === 'Failed') {
      const fail = (): void => {
        job.failureReason = steer.failureReason ?? defaultFailure;
        enter(job, 'Failed', 'Failed');
      };
      ctx.lifecycle.plan(job, [
        ...transitions.filter((t) => t.at < trainingEnds),
        { at: trainingEnds, run: fail },
      ]);
    } else {
      ctx.lifecycle.plan(job, [...transitions, { at, run: () => complete(job) }]);
    }
  };

  /** More instances of one type than any account may have (request-rules.ts refuses none at all). */
  const checkInstanceCounts = (input: Wire<CreateTrainingJobRequest>): void => {
    const resources = input.ResourceConfig;
    if (!resources) return;
    const groups = resources.InstanceGroups ?? [];
    const requests =
      groups.length > 0
        ? groups.map((g) => ({ type: g.InstanceType, count: g.InstanceCount ?? 0 }))
        : [{ type: resources.InstanceType, count: resources.InstanceCount ?? 0 }];
    checkInstancesPerType(ctx, 'training job usage', requests);
  };

  const checkQuota = (): void => {
    const limit = ctx.settings.limits.concurrentTrainingJobs;
    if (limit === undefined) return;
    let running = 0;
    for (const job of registry.values()) if (active.includes(job.status)) running++;
    if (running >= limit)
      throw resourceLimitExceeded(quotaMessage('Number of concurrent training jobs', limit, running, 'Jobs'));
  };

  const describe = (job: TrainingJob): Wire<DescribeTrainingJobResponse> => {
    const ended = job.trainingEndTime !== undefined && job.trainingStartTime !== undefined;
    const seconds = ended
      ? Math.max(1, Math.round((job.trainingEndTime! - job.trainingStartTime!) / ctx.settings.timeScale))
      : undefined;
    return {
      ...withServerDefaults(echo(job.request, ['Tags', 'SessionChainingConfig'])),
      TrainingJobName: job.name,
      TrainingJobArn: job.arn,
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondaryStatus,
      FailureReason: job.failureReason,
      ModelArtifacts: { S3ModelArtifacts: modelArtifactsUri(job) },
      StoppingCondition: job.request.StoppingCondition ?? { MaxRuntimeInSeconds: defaultMaxRuntime },
      CreationTime: job.creationTime,
      TrainingStartTime: job.trainingStartTime,
      TrainingEndTime: job.trainingEndTime,
      LastModifiedTime: job.lastModifiedTime,
      SecondaryStatusTransitions: job.transitions,
      TrainingTimeInSeconds: seconds,
      BillableTimeInSeconds: job.status === 'Completed' || job.status === 'Stopped' ? seconds : undefined,
      WarmPoolStatus: job.warmPool,
      ProfilingStatus: profiling(job.request.ProfilerConfig),
      FinalMetricDataList: objectiveReported(job) ? finalMetrics(job) : undefined,
      TuningJobArn: job.tuning?.tuningJobArn,
    };
  };

  /**
   * One value per metric definition, derived from the job and metric names so tests can predict it;
   * a tuning job's training job reports its objective metric with the value the tuning job chose.
   */
  const finalMetrics = (job: TrainingJob): Wire<MetricData>[] | undefined => {
    const objective = job.tuning?.objective;
    const names = (job.request.AlgorithmSpecification?.MetricDefinitions ?? []).map((d) => d.Name ?? '');
    if (objective && !names.includes(objective.metricName)) names.push(objective.metricName);
    if (names.length === 0) return undefined;
    return names.map((name) => ({
      MetricName: name,
      Value: name === objective?.metricName ? objective.value : metricValue(job.name, name),
      Timestamp: job.trainingEndTime,
    }));
  };

  const settled = async (name: string, missing: () => Error): Promise<TrainingJob> => {
    const job = registry.get(name);
    if (!job) throw missing();
    await ctx.lifecycle.settle(job);
    return job;
  };

  const rejectInStatus = (job: TrainingJob): Error =>
    validation(`The request was rejected because the training job is in status ${job.status}.`);

  /** Starts a job: CreateTrainingJob after its checks, or a tuning job launching one of its jobs. */
  const launch = (input: Wire<CreateTrainingJobRequest>, tuning?: TuningLink): TrainingJob => {
    const job: TrainingJob = {
      ...newResource(input.TrainingJobName!, registry.arn(input.TrainingJobName!), ctx.now()),
      tags: tagsFrom(input.Tags),
      request: input,
      status: 'InProgress',
      secondaryStatus: 'Starting',
      transitions: [],
      tuning,
    };
    enter(job, 'InProgress', 'Starting');
    registry.add(job);
    planRun(job);
    return job;
  };

  /** StopTrainingJob's effect, for a tuning job stopping its running jobs. */
  const stop = (job: TrainingJob): void => {
    if (job.status === 'InProgress') stopping(job, 'Stopped');
  };

  const operations = {
    CreateTrainingJob(input: Wire<CreateTrainingJobRequest>) {
      const name = input.TrainingJobName!;
      const existing = registry.get(name);
      if (existing) {
        throw resourceInUse(
          `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${existing.arn})`,
        );
      }
      checkInstanceCounts(input);
      checkQuota();
      return { TrainingJobArn: launch(input).arn };
    },

    async DescribeTrainingJob(input: Wire<DescribeTrainingJobRequest>) {
      return describe(await settled(input.TrainingJobName!, notFound));
    },

    async ListTrainingJobs(input: Wire<ListTrainingJobsRequest>) {
      await settleAll(ctx.lifecycle, registry.values());
      const { page, NextToken } = list(registry.values(), input, {
        status: (job) => job.status,
        defaultOrder: 'Ascending',
        statusAfterPage: true,
        where: (job) =>
          input.WarmPoolStatusEquals === undefined || job.warmPool?.Status === input.WarmPoolStatusEquals,
      });
      return {
        TrainingJobSummaries: page.map((job) => ({
          TrainingJobName: job.name,
          TrainingJobArn: job.arn,
          CreationTime: job.creationTime,
          TrainingEndTime: job.trainingEndTime,
          LastModifiedTime: job.lastModifiedTime,
          TrainingJobStatus: job.status,
          SecondaryStatus: job.secondaryStatus,
          WarmPoolStatus: job.warmPool,
        })),
        NextToken,
      };
    },

    async StopTrainingJob(input: Wire<StopTrainingJobRequest>) {
      const job = await settled(input.TrainingJobName!, notFound);
      if (job.status !== 'InProgress') throw rejectInStatus(job);
      stopping(job, 'Stopped');
      return {};
    },

    async DeleteTrainingJob(input: Wire<DeleteTrainingJobRequest>) {
      const job = await settled(input.TrainingJobName!, () =>
        resourceNotFound('Requested resource not found.'),
      );
      if (active.includes(job.status)) {
        throw resourceInUse(
          `Training job ${job.name} is in status ${job.status}. Only jobs in status Completed, Failed or Stopped can be deleted.`,
        );
      }
      if (job.warmPool?.Status === 'Available') {
        throw resourceInUse(`Training job ${job.name} retains an available warm pool and cannot be deleted.`);
      }
      if (job.status === 'Deleting') return {};
      job.status = 'Deleting';
      job.lastModifiedTime = ctx.now();
      ctx.stateChanged('TrainingJob', job, () => describe(job));
      ctx.lifecycle.plan(job, [
        {
          at: ctx.now() + ctx.timing('trainingDeleting'),
          run: () => {
            registry.delete(job);
          },
        },
      ]);
      return {};
    },

    async UpdateTrainingJob(input: Wire<UpdateTrainingJobRequest>) {
      const job = await settled(input.TrainingJobName!, () =>
        resourceNotFound('Requested resource not found.'),
      );
      const profiling = input.ProfilerConfig !== undefined || input.ProfilerRuleConfigurations !== undefined;
      if (profiling && job.status !== 'InProgress') throw rejectInStatus(job);
      if (input.RemoteDebugConfig && !['Downloading', 'Training'].includes(job.secondaryStatus)) {
        throw validation(
          `Remote debugging can only be updated while the training job's secondary status is Downloading or Training; it is ${job.secondaryStatus}.`,
        );
      }
      const keepAlive = input.ResourceConfig?.KeepAlivePeriodInSeconds;
      if (keepAlive !== undefined) {
        if (!job.warmPool) {
          throw validation(
            'KeepAlivePeriodInSeconds can only be updated for a training job created with a warm pool.',
          );
        }
        if (job.warmPool.Status !== 'Available' && job.warmPool.Status !== 'InUse') {
          throw validation(
            `The warm pool of training job ${job.name} is ${job.warmPool.Status} and cannot be updated.`,
          );
        }
        planWarmPoolEnd(job, keepAlive);
      }
      job.request = {
        ...job.request,
        ...(input.ProfilerConfig && {
          ProfilerConfig: { ...job.request.ProfilerConfig, ...input.ProfilerConfig },
        }),
        ...(input.ProfilerRuleConfigurations && {
          ProfilerRuleConfigurations: input.ProfilerRuleConfigurations,
        }),
        ...(input.RemoteDebugConfig && { RemoteDebugConfig: input.RemoteDebugConfig }),
        ...(keepAlive !== undefined && {
          ResourceConfig: { ...job.request.ResourceConfig, KeepAlivePeriodInSeconds: keepAlive },
        }),
      };
      job.lastModifiedTime = ctx.now();
      return { TrainingJobArn: job.arn };
    },
  };

  return { registry, operations, launch, stop };
}

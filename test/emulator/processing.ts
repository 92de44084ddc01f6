import type {
  CreateProcessingJobRequest,
  DeleteProcessingJobRequest,
  DescribeProcessingJobRequest,
  DescribeProcessingJobResponse,
  ListProcessingJobsRequest,
  StopProcessingJobRequest,
} from '@aws-sdk/client-sagemaker';
import type { BatchJob, RunOptions } from './batch-jobs.js';
import { batchJobs, JobFailure } from './batch-jobs.js';
import type { Context, Handler, Wire } from './context.js';
import { echo } from './context.js';
import { validation } from './errors.js';
import { settleAll } from './lifecycle.js';
import { list } from './listing.js';
import { checkInstancesPerType } from './quotas.js';
import { constraints, statistics } from './reports.js';
import { joinS3 } from './s3.js';
import type { ProcessingOutputs } from './steering.js';

export type ProcessingRequest = Wire<CreateProcessingJobRequest>;
export type ProcessingJob = BatchJob<ProcessingRequest> & { monitoringScheduleArn?: string };

/** The image `suggest_baseline` runs (reference §4.6): such jobs write a baseline. */
const isBaselining = (request: ProcessingRequest): boolean =>
  request.AppSpecification?.ImageUri?.includes('sagemaker-model-monitor-analyzer') ?? false;

const contentType = (key: string): string =>
  key.endsWith('.json') ? 'application/json' : key.endsWith('.csv') ? 'text/csv' : 'text/plain';

export const processingOutputUri = (request: ProcessingRequest): string | undefined =>
  request.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri;

export function processingJobs(ctx: Context) {
  const jobs = batchJobs<ProcessingRequest>(ctx, {
    kind: 'ProcessingJob',
    label: 'processing',
    arnType: 'processing-job',
    running: 'processingRunning',
    stopping: 'processingStopping',
    quota: 'concurrentProcessingJobs',
    notFound: (name) => validation(`Could not find requested job with name ${name}`),
    // Defined below; called only once a job changes.
    describe: (job) => describe(job),
  });

  const baseline = (request: ProcessingRequest) => async (): Promise<void> => {
    const output = processingOutputUri(request);
    if (output === undefined) return;
    await ctx.s3.put(joinS3(output, 'statistics.json'), statistics(), 'application/json');
    await ctx.s3.put(joinS3(output, 'constraints.json'), constraints(), 'application/json');
  };

  /**
   * What any other container writes: under each S3 output, `part-00000` listing the inputs it read
   * (one `<inputName> <s3Uri>` line each), at completion whatever the output's S3UploadMode
   * (EndOfJob or Continuous). An S3 input with no object under it fails the job, as
   * SageMaker does, when the emulator checks inputs (s3Checks.inputsExist).
   */
  const process = (request: ProcessingRequest) => async (): Promise<void> => {
    const inputs = (request.ProcessingInputs ?? []).flatMap((input) =>
      input.S3Input?.S3Uri ? [{ name: input.InputName ?? '', uri: input.S3Input.S3Uri }] : [],
    );
    if (ctx.settings.s3Checks.inputsExist) {
      for (const { uri } of inputs) {
        const found = await ctx.s3
          .list(uri)
          .then((uris) => uris.length > 0)
          .catch(() => false);
        if (!found)
          throw new JobFailure(
            `ClientError: No objects found under S3 URL "${uri}" given in the processing job's inputs.`,
          );
      }
    }
    const manifest = inputs.map(({ name, uri }) => `${name} ${uri}\n`).join('');
    for (const output of request.ProcessingOutputConfig?.Outputs ?? []) {
      if (output.S3Output?.S3Uri)
        await ctx.s3.put(joinS3(output.S3Output.S3Uri, 'part-00000'), manifest, 'text/plain');
    }
  };

  /**
   * The documents a steer chose (`outputs`, steering.ts), each under its output's S3Uri, after what
   * the container writes. Outputs the request does not declare with an S3Uri are ignored.
   */
  const steered = (request: ProcessingRequest, outputs: ProcessingOutputs) => async (): Promise<void> => {
    for (const output of request.ProcessingOutputConfig?.Outputs ?? []) {
      const uri = output.S3Output?.S3Uri;
      const name = output.OutputName;
      const documents = name !== undefined && Object.hasOwn(outputs, name) ? outputs[name] : undefined;
      if (uri === undefined || documents === undefined) continue;
      for (const [key, content] of Object.entries(documents))
        await ctx.s3.put(joinS3(uri, key), content, contentType(key));
    }
  };

  /** Starts a job; monitoring executions pass their own outcome and reports. */
  const start = (request: ProcessingRequest, options: RunOptions = {}): ProcessingJob => {
    if (options.produce) return jobs.create(request.ProcessingJobName!, request, options);
    const container = isBaselining(request) ? baseline(request) : process(request);
    // Read with the outcome, at creation: a steer set later applies to the next job of the name.
    const outputs = ctx.steering.get('ProcessingJob', request.ProcessingJobName!)?.outputs;
    const write = outputs && steered(request, outputs);
    return jobs.create(request.ProcessingJobName!, request, {
      ...options,
      produce: write
        ? async () => {
            await container();
            await write();
          }
        : container,
    });
  };

  /** What DescribeProcessingJob reports for members the request left out. */
  const withServerDefaults = (request: Omit<ProcessingRequest, 'Tags'>): Omit<ProcessingRequest, 'Tags'> => ({
    ...request,
    StoppingCondition: { MaxRuntimeInSeconds: 86_400, ...request.StoppingCondition },
    ...(request.ProcessingOutputConfig && {
      ProcessingOutputConfig: {
        ...request.ProcessingOutputConfig,
        Outputs: request.ProcessingOutputConfig.Outputs?.map((output) => ({ AppManaged: false, ...output })),
      },
    }),
    ProcessingInputs: request.ProcessingInputs?.map((input) => ({
      ...input,
      AppManaged: input.AppManaged ?? false,
      ...(input.S3Input && {
        S3Input: {
          S3InputMode: 'File',
          S3DataDistributionType: 'FullyReplicated',
          S3CompressionType: 'None',
          ...input.S3Input,
        },
      }),
    })),
  });

  const describe = (job: ProcessingJob): Wire<DescribeProcessingJobResponse> => ({
    ...withServerDefaults(echo(job.request, ['Tags'])),
    ProcessingJobArn: job.arn,
    ProcessingJobStatus: job.status,
    FailureReason: job.failureReason,
    ExitMessage: job.status === 'Failed' ? job.failureReason : undefined,
    ProcessingStartTime: job.startTime,
    ProcessingEndTime: job.endTime,
    CreationTime: job.creationTime,
    LastModifiedTime: job.lastModifiedTime,
    MonitoringScheduleArn: job.monitoringScheduleArn,
  });

  const operations: Record<string, Handler> = {
    CreateProcessingJob(input: ProcessingRequest) {
      const cluster = input.ProcessingResources?.ClusterConfig;
      checkInstancesPerType(ctx, 'processing job usage', [
        { type: cluster?.InstanceType, count: cluster?.InstanceCount ?? 0 },
      ]);
      return { ProcessingJobArn: start(input).arn };
    },
    async DescribeProcessingJob(input: Wire<DescribeProcessingJobRequest>) {
      return describe(await jobs.settled(input.ProcessingJobName!));
    },
    async StopProcessingJob(input: Wire<StopProcessingJobRequest>) {
      await jobs.stop(input.ProcessingJobName!);
      return {};
    },
    async DeleteProcessingJob(input: Wire<DeleteProcessingJobRequest>) {
      await jobs.remove(input.ProcessingJobName!);
      return {};
    },
    async ListProcessingJobs(input: Wire<ListProcessingJobsRequest>) {
      await settleAll(ctx.lifecycle, jobs.registry.values());
      const { page, NextToken } = list(jobs.registry.values(), input, {
        status: (job) => job.status,
        defaultOrder: 'Ascending',
      });
      return {
        ProcessingJobSummaries: page.map((job) => ({
          ProcessingJobName: job.name,
          ProcessingJobArn: job.arn,
          CreationTime: job.creationTime,
          ProcessingEndTime: job.endTime,
          LastModifiedTime: job.lastModifiedTime,
          ProcessingJobStatus: job.status,
          FailureReason: job.failureReason,
        })),
        NextToken,
      };
    },
  };

  return { registry: jobs.registry, start, operations };
}

import type {
  CreateTransformJobRequest,
  DescribeTransformJobRequest,
  DescribeTransformJobResponse,
  ListTransformJobsRequest,
  StopTransformJobRequest,
} from '@aws-sdk/client-sagemaker';
import type { BatchJob } from './batch-jobs.js';
import { batchJobs, JobFailure } from './batch-jobs.js';
import type { Context, Handler, Wire } from './context.js';
import { echo } from './context.js';
import { validation } from './errors.js';
import type { Model } from './hosting.js';
import { settleAll } from './lifecycle.js';
import { list } from './listing.js';
import { checkInstancesPerType } from './quotas.js';
import type { Registry } from './resources.js';
import { predict } from './runtime.js';
import { joinS3, parseS3Uri } from './s3.js';

type TransformRequest = Wire<CreateTransformJobRequest>;

export function transformJobs(ctx: Context, models: Registry<Model>) {
  const jobs = batchJobs<TransformRequest>(ctx, {
    kind: 'TransformJob',
    label: 'transform',
    arnType: 'transform-job',
    running: 'transformRunning',
    stopping: 'transformStopping',
    quota: 'concurrentTransformJobs',
    notFound: (name) => validation(`Could not find requested job with name ${name}`),
    // Defined below; called only once a job changes.
    describe: (job) => describe(job),
  });

  /**
   * One `<input>.out` per input object under the prefix, a prediction per record (line). No input
   * object fails the job, as SageMaker does, when the emulator checks inputs (s3Checks.inputsExist).
   */
  const produce = (request: TransformRequest, modelData: string) => async (): Promise<void> => {
    const source = request.TransformInput!.DataSource!.S3DataSource!.S3Uri!;
    const prefix = parseS3Uri(source).key;
    const split = request.TransformInput?.SplitType === 'Line';
    const joiner = request.TransformOutput?.AssembleWith === 'Line' || split ? '\n' : '';
    // A bucket that does not exist answers an error: as missing as an empty prefix.
    const inputs = await ctx.s3.list(source).catch(() => []);
    if (inputs.length === 0 && ctx.settings.s3Checks.inputsExist)
      throw new JobFailure(
        `ClientError: No S3 objects found under S3 URL "${source}" given in input data source.`,
      );
    for (const uri of inputs) {
      const text = Buffer.from(await ctx.s3.read(uri)).toString('utf8');
      const records = split ? text.split('\n').filter((line) => line !== '') : [text];
      const output = records.map((record) => String(predict(modelData, record))).join(joiner);
      const relative = parseS3Uri(uri).key.slice(prefix.length).replace(/^\/+/, '') || uri.split('/').at(-1)!;
      await ctx.s3.put(
        joinS3(request.TransformOutput!.S3OutputPath!, `${relative}.out`),
        output,
        'text/plain',
      );
    }
  };

  /** What DescribeTransformJob reports for members the request left out (reference §5 defaults). */
  const withServerDefaults = (request: Omit<TransformRequest, 'Tags'>): Omit<TransformRequest, 'Tags'> => ({
    MaxPayloadInMB: 6,
    ...request,
    ...(request.TransformInput && {
      TransformInput: { CompressionType: 'None', SplitType: 'None', ...request.TransformInput },
    }),
    ...(request.TransformOutput && {
      TransformOutput: { AssembleWith: 'None', KmsKeyId: '', ...request.TransformOutput },
    }),
    DataProcessing: { InputFilter: '$', OutputFilter: '$', JoinSource: 'None', ...request.DataProcessing },
  });

  const describe = (job: BatchJob<TransformRequest>): Wire<DescribeTransformJobResponse> => ({
    ...withServerDefaults(echo(job.request, ['Tags'])),
    TransformJobArn: job.arn,
    TransformJobStatus: job.status,
    FailureReason: job.failureReason,
    CreationTime: job.creationTime,
    TransformStartTime: job.startTime,
    TransformEndTime: job.endTime,
  });

  const operations: Record<string, Handler> = {
    CreateTransformJob(input: TransformRequest) {
      const model = models.require(input.ModelName!).request;
      checkInstancesPerType(ctx, 'transform job usage', [
        { type: input.TransformResources?.InstanceType, count: input.TransformResources?.InstanceCount ?? 0 },
      ]);
      const container = model.PrimaryContainer ?? model.Containers?.[0];
      const modelData = container?.ModelDataUrl ?? model.ModelName!;
      const job = jobs.create(input.TransformJobName!, input, { produce: produce(input, modelData) });
      return { TransformJobArn: job.arn };
    },
    async DescribeTransformJob(input: Wire<DescribeTransformJobRequest>) {
      return describe(await jobs.settled(input.TransformJobName!));
    },
    async StopTransformJob(input: Wire<StopTransformJobRequest>) {
      await jobs.stop(input.TransformJobName!);
      return {};
    },
    async ListTransformJobs(input: Wire<ListTransformJobsRequest>) {
      await settleAll(ctx.lifecycle, jobs.registry.values());
      const { page, NextToken } = list(jobs.registry.values(), input, {
        status: (job) => job.status,
        defaultOrder: 'Descending',
      });
      return {
        TransformJobSummaries: page.map((job) => ({
          TransformJobName: job.name,
          TransformJobArn: job.arn,
          CreationTime: job.creationTime,
          TransformEndTime: job.endTime,
          LastModifiedTime: job.lastModifiedTime,
          TransformJobStatus: job.status,
          FailureReason: job.failureReason,
        })),
        NextToken,
      };
    },
  };

  return { registry: jobs.registry, operations };
}

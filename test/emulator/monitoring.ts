import type {
  CreateMonitoringScheduleRequest,
  DeleteMonitoringScheduleRequest,
  DescribeMonitoringScheduleRequest,
  DescribeMonitoringScheduleResponse,
  ListMonitoringExecutionsRequest,
  ListMonitoringSchedulesRequest,
  MonitoringExecutionSummary,
  MonitoringOutputConfig,
  MonitoringType,
  ScheduleStatus,
  StartMonitoringScheduleRequest,
  StopMonitoringScheduleRequest,
  Tag,
  UpdateMonitoringScheduleRequest,
} from '@aws-sdk/client-sagemaker';
import { createHash } from 'node:crypto';
import type { Context, Handler, Wire } from './context.js';
import { echo } from './context.js';
import type { Cadence } from './cron.js';
import { nextScheduledTime, parseScheduleExpression } from './cron.js';
import { ApiError, resourceInUse, resourceNotFound, validation } from './errors.js';
import type { Live } from './lifecycle.js';
import { settleAll } from './lifecycle.js';
import { list } from './listing.js';
import type { ProcessingJob, ProcessingRequest } from './processing.js';
import { constraintViolations, statistics } from './reports.js';
import type { Resource } from './resources.js';
import { newResource, Registry } from './resources.js';
import { joinS3 } from './s3.js';
import { tagsFrom } from './tags.js';

type ScheduleConfig = Wire<CreateMonitoringScheduleRequest>['MonitoringScheduleConfig'];

/** The four job-definition kinds share one shape, with the kind as prefix of the member names. */
const definitionKinds: { type: MonitoringType; arnType: string }[] = [
  { type: 'DataQuality', arnType: 'data-quality-job-definition' },
  { type: 'ModelQuality', arnType: 'model-quality-job-definition' },
  { type: 'ModelBias', arnType: 'model-bias-job-definition' },
  { type: 'ModelExplainability', arnType: 'model-explainability-job-definition' },
];

type DefinitionRequest = Record<string, unknown> & { JobDefinitionName?: string; Tags?: Tag[] };

interface JobDefinition extends Resource {
  type: MonitoringType;
  request: DefinitionRequest;
}

/** What an execution needs from a schedule's job definition, inline or named. */
interface EffectiveDefinition {
  name?: string;
  type: MonitoringType;
  endpointName?: string;
  output?: Wire<MonitoringOutputConfig>;
  imageUri?: string;
  roleArn?: string;
  resources?: ProcessingRequest['ProcessingResources'];
}

interface Schedule extends Resource {
  config: NonNullable<ScheduleConfig>;
  status: ScheduleStatus;
  failureReason?: string;
  /** Executions started, counting from 1; the output path's hour advances with it. */
  runs: number;
}

interface Execution extends Live {
  /** A sequence number: executions have no name of their own. */
  name: string;
  scheduleName: string;
  scheduleArn: string;
  scheduledTime: number;
  creationTime: number;
  lastModifiedTime: number;
  definition: EffectiveDefinition;
  job?: ProcessingJob;
  violations: boolean;
}

/**
 * What an account that cannot use Model Monitor is answered. AWS documents the closure ("Amazon
 * SageMaker Model Monitor is no longer open to new customers. Existing customers can continue to
 * use the service as normal.") but not the refusal itself; this is AWS's usual shape for a service
 * closed to new customers (an AccessDeniedException that says so), with the documented sentence.
 */
export const MODEL_MONITOR_CLOSED = {
  code: 'AccessDeniedException',
  message:
    'Amazon SageMaker Model Monitor is no longer open to new customers. Existing customers can continue to use the service as normal.',
};

type StartProcessing = (
  request: ProcessingRequest,
  options: { outcome: { failed: boolean; failureReason?: string }; produce: () => Promise<void> },
) => ProcessingJob;

const two = (n: number): string => String(n).padStart(2, '0');

function executionStatus(execution: Execution): string {
  const job = execution.job;
  if (!job) return 'Pending';
  if (job.status === 'Completed') return execution.violations ? 'CompletedWithViolations' : 'Completed';
  return job.status;
}

/** An execution changes when it starts its processing job and whenever that job changes status. */
const executionModified = (execution: Execution): number =>
  Math.max(execution.lastModifiedTime, execution.job?.lastModifiedTime ?? 0);

interface DefinitionParts {
  JobInput?: { EndpointInput?: { EndpointName?: string } };
  JobOutputConfig?: Wire<MonitoringOutputConfig>;
  AppSpecification?: { ImageUri?: string };
}

/** `DataQualityJobInput`, `ModelBiasAppSpecification`, ... read through the kind's prefix. */
const definitionPart = <P extends keyof DefinitionParts>(
  request: DefinitionRequest,
  type: MonitoringType,
  part: P,
): DefinitionParts[P] => request[`${type}${part}`] as DefinitionParts[P];

export function monitoring(ctx: Context, startProcessing: StartProcessing) {
  const definitions = new Map(
    definitionKinds.map(({ type, arnType }) => [
      type,
      new Registry<JobDefinition>(arnType, ctx.scope, (name) =>
        resourceNotFound(`Could not find job definition ${name}.`),
      ),
    ]),
  );
  const schedules = new Registry<Schedule>('monitoring-schedule', ctx.scope, (name) =>
    resourceNotFound(`Could not find monitoring schedule ${name}.`),
  );
  const executions: Execution[] = [];

  const effectiveDefinition = (config: NonNullable<ScheduleConfig>): EffectiveDefinition => {
    const inline = config.MonitoringJobDefinition;
    if (inline) {
      return {
        type: 'DataQuality',
        endpointName: inline.MonitoringInputs?.[0]?.EndpointInput?.EndpointName,
        output: inline.MonitoringOutputConfig,
        imageUri: inline.MonitoringAppSpecification?.ImageUri,
        roleArn: inline.RoleArn,
        resources: inline.MonitoringResources,
      };
    }
    const type = config.MonitoringType!;
    const definition = definitions.get(type)!.require(config.MonitoringJobDefinitionName!);
    const input = definitionPart(definition.request, type, 'JobInput');
    return {
      name: definition.name,
      type,
      endpointName: input?.EndpointInput?.EndpointName,
      output: definitionPart(definition.request, type, 'JobOutputConfig'),
      imageUri: definitionPart(definition.request, type, 'AppSpecification')?.ImageUri,
      roleArn: definition.request.RoleArn as string | undefined,
      resources: definition.request.JobResources as ProcessingRequest['ProcessingResources'],
    };
  };

  const checkConfig = (config: NonNullable<ScheduleConfig>): Cadence => {
    if (config.MonitoringJobDefinition && config.MonitoringJobDefinitionName !== undefined) {
      throw validation('MonitoringJobDefinition and MonitoringJobDefinitionName cannot both be specified.');
    }
    if (config.MonitoringJobDefinition && (config.MonitoringType ?? 'DataQuality') !== 'DataQuality') {
      throw validation('An inline MonitoringJobDefinition can only be used for DataQuality monitoring.');
    }
    if (!config.MonitoringJobDefinition && config.MonitoringJobDefinitionName === undefined) {
      throw validation('Either MonitoringJobDefinition or MonitoringJobDefinitionName must be specified.');
    }
    if (config.MonitoringJobDefinitionName !== undefined && config.MonitoringType === undefined) {
      throw validation('MonitoringType is required with MonitoringJobDefinitionName.');
    }
    effectiveDefinition(config);
    const expression = config.ScheduleConfig?.ScheduleExpression ?? '';
    const cadence = parseScheduleExpression(expression);
    if (!cadence) throw validation(`Invalid ScheduleExpression: ${expression}.`);
    if (
      cadence.kind === 'once' &&
      !(config.ScheduleConfig?.DataAnalysisStartTime && config.ScheduleConfig.DataAnalysisEndTime)
    ) {
      throw validation(
        'DataAnalysisStartTime and DataAnalysisEndTime are required with the NOW schedule expression.',
      );
    }
    return cadence;
  };

  /** Starts an execution's processing job; its reports land under the definition's output. */
  const runExecution = (schedule: Schedule, execution: Execution): void => {
    const steer = ctx.steering.get('MonitoringSchedule', schedule.name);
    execution.violations = steer?.outcome === 'CompletedWithViolations';
    const { definition } = execution;
    // SageMaker time of the run: one cadence step per execution, so each run has its own hour.
    const virtual = new Date((schedule.creationTime + schedule.runs * 3600) * 1000);
    const hour = `${virtual.getUTCFullYear()}/${two(virtual.getUTCMonth() + 1)}/${two(virtual.getUTCDate())}/${two(virtual.getUTCHours())}`;
    const base = definition.output?.MonitoringOutputs?.[0]?.S3Output?.S3Uri;
    const output = base && joinS3(base, definition.endpointName ?? 'batch', schedule.name, hour);
    const suffix = createHash('sha256').update(`${schedule.arn}/${schedule.runs}`).digest('hex').slice(0, 24);
    const name = `model-monitoring-${hour.replaceAll('/', '')}00-${suffix}`;
    execution.job = startProcessing(
      {
        ProcessingJobName: name,
        RoleArn: definition.roleArn,
        AppSpecification: { ImageUri: definition.imageUri },
        ProcessingResources: definition.resources,
        ProcessingOutputConfig: output
          ? {
              Outputs: [
                {
                  OutputName: 'result',
                  S3Output: {
                    S3Uri: output,
                    LocalPath: '/opt/ml/processing/output',
                    S3UploadMode: 'EndOfJob',
                  },
                },
              ],
            }
          : undefined,
        Environment: {
          sagemaker_monitoring_schedule_name: schedule.name,
          ...(definition.endpointName && { sagemaker_endpoint_name: definition.endpointName }),
        },
      },
      {
        outcome: { failed: steer?.outcome === 'Failed', failureReason: steer?.failureReason },
        produce: async () => {
          if (!output) return;
          await ctx.s3.put(joinS3(output, 'statistics.json'), statistics(), 'application/json');
          await ctx.s3.put(
            joinS3(output, 'constraint_violations.json'),
            constraintViolations(execution.violations),
            'application/json',
          );
        },
      },
    );
    execution.job.monitoringScheduleArn = schedule.arn;
    execution.lastModifiedTime = ctx.now();
  };

  /**
   * SageMaker starts an execution some time after its scheduled time, up to `executionStartLag`
   * (20 minutes, reference §4.1); each execution's lag is spread over that range, the same on every
   * run of the emulator.
   */
  const startLag = (schedule: Schedule, scheduledTime: number): number => {
    const digest = createHash('sha256').update(`${schedule.arn}@${scheduledTime}`).digest();
    return (digest.readUInt32BE(0) / 2 ** 32) * ctx.timing('executionStartLag');
  };

  /**
   * The next execution after `from`, while the schedule stays Scheduled: at the top of the next
   * (scaled) hour the cron names, started after its lag; NOW runs once, from `from`.
   */
  const planRuns = (schedule: Schedule, from: number): void => {
    const cadence = parseScheduleExpression(schedule.config.ScheduleConfig?.ScheduleExpression ?? '')!;
    const scheduledTime = cadence.kind === 'once' ? from : nextScheduledTime(cadence, from, ctx.scaled(3600));
    const startTime = scheduledTime + startLag(schedule, scheduledTime);
    ctx.lifecycle.plan(schedule, [
      {
        at: startTime,
        run: () => {
          if (schedule.status !== 'Scheduled') return;
          schedule.runs++;
          const execution: Execution = {
            pending: [],
            name: String(executions.length).padStart(12, '0'),
            scheduleName: schedule.name,
            scheduleArn: schedule.arn,
            scheduledTime,
            creationTime: startTime,
            lastModifiedTime: startTime,
            definition: effectiveDefinition(schedule.config),
            violations: false,
          };
          executions.push(execution);
          ctx.lifecycle.plan(execution, [
            {
              at: startTime + ctx.timing('executionPending'),
              run: () => {
                runExecution(schedule, execution);
              },
            },
          ]);
          if (cadence.kind === 'every') planRuns(schedule, scheduledTime);
        },
      },
    ]);
  };

  const activate = (schedule: Schedule): void => {
    schedule.status = 'Pending';
    schedule.lastModifiedTime = ctx.now();
    const at = ctx.now() + ctx.timing('scheduleActivating');
    ctx.lifecycle.plan(schedule, [
      {
        at,
        run: () => {
          schedule.status = 'Scheduled';
          schedule.lastModifiedTime = at;
          planRuns(schedule, at);
        },
      },
    ]);
  };

  /** Model Monitor's creates, for an account it is closed to (the ModelMonitorClosed steer). */
  const refuseClosedAccount = (): void => {
    const steer =
      ctx.steering.get('ModelMonitorClosed', ctx.scope.account) ??
      ctx.steering.get('ModelMonitorClosed', '*');
    if (steer)
      throw new ApiError(
        steer.code ?? MODEL_MONITOR_CLOSED.code,
        steer.message ?? MODEL_MONITOR_CLOSED.message,
      );
  };

  const settledSchedule = async (name: string): Promise<Schedule> => {
    const schedule = schedules.require(name);
    await ctx.lifecycle.settle(schedule);
    return schedule;
  };

  const rejectPending = (schedule: Schedule): void => {
    if (schedule.status === 'Pending') throw validation('Monitoring schedule in status Pending');
  };

  const executionsOf = async (filter: (e: Execution) => boolean): Promise<Execution[]> => {
    const chosen = executions.filter(filter);
    await settleAll(ctx.lifecycle, chosen);
    await settleAll(
      ctx.lifecycle,
      chosen.flatMap((e) => (e.job ? [e.job] : [])),
    );
    return chosen;
  };

  const summary = (e: Execution): Wire<MonitoringExecutionSummary> => ({
    MonitoringScheduleName: e.scheduleName,
    ScheduledTime: e.scheduledTime,
    CreationTime: e.creationTime,
    LastModifiedTime: executionModified(e),
    MonitoringExecutionStatus: executionStatus(e) as MonitoringExecutionSummary['MonitoringExecutionStatus'],
    ProcessingJobArn: e.job?.arn,
    EndpointName: e.definition.endpointName,
    FailureReason: e.job?.failureReason,
    MonitoringJobDefinitionName: e.definition.name,
    MonitoringType: e.definition.type,
  });

  const describeSchedule = async (schedule: Schedule): Promise<Wire<DescribeMonitoringScheduleResponse>> => {
    const [last] = (await executionsOf((e) => e.scheduleArn === schedule.arn)).slice(-1);
    const definition = effectiveDefinition(schedule.config);
    return {
      MonitoringScheduleArn: schedule.arn,
      MonitoringScheduleName: schedule.name,
      MonitoringScheduleStatus: schedule.status,
      MonitoringType: definition.type,
      FailureReason: schedule.failureReason,
      CreationTime: schedule.creationTime,
      LastModifiedTime: schedule.lastModifiedTime,
      MonitoringScheduleConfig: schedule.config,
      EndpointName: definition.endpointName,
      LastMonitoringExecutionSummary: last && summary(last),
    };
  };

  const operations: Record<string, Handler> = {
    CreateMonitoringSchedule(input: Wire<CreateMonitoringScheduleRequest>) {
      const name = input.MonitoringScheduleName!;
      refuseClosedAccount();
      if (schedules.get(name)) throw resourceInUse(`Monitoring schedule ${name} already exists.`);
      checkConfig(input.MonitoringScheduleConfig!);
      const schedule: Schedule = {
        ...newResource(name, schedules.arn(name), ctx.now()),
        tags: tagsFrom(input.Tags),
        config: input.MonitoringScheduleConfig!,
        status: 'Pending',
        runs: 0,
      };
      schedules.add(schedule);
      activate(schedule);
      return { MonitoringScheduleArn: schedule.arn };
    },
    async DescribeMonitoringSchedule(input: Wire<DescribeMonitoringScheduleRequest>) {
      return describeSchedule(await settledSchedule(input.MonitoringScheduleName!));
    },
    async UpdateMonitoringSchedule(input: Wire<UpdateMonitoringScheduleRequest>) {
      const schedule = await settledSchedule(input.MonitoringScheduleName!);
      rejectPending(schedule);
      checkConfig(input.MonitoringScheduleConfig!);
      schedule.config = input.MonitoringScheduleConfig!;
      activate(schedule);
      return { MonitoringScheduleArn: schedule.arn };
    },
    async StopMonitoringSchedule(input: Wire<StopMonitoringScheduleRequest>) {
      const schedule = await settledSchedule(input.MonitoringScheduleName!);
      rejectPending(schedule);
      schedule.status = 'Stopped';
      schedule.lastModifiedTime = ctx.now();
      ctx.lifecycle.plan(schedule, []);
      return {};
    },
    async StartMonitoringSchedule(input: Wire<StartMonitoringScheduleRequest>) {
      const schedule = await settledSchedule(input.MonitoringScheduleName!);
      rejectPending(schedule);
      if (schedule.status !== 'Scheduled') {
        schedule.status = 'Scheduled';
        schedule.lastModifiedTime = ctx.now();
        planRuns(schedule, ctx.now());
      }
      return {};
    },
    async DeleteMonitoringSchedule(input: Wire<DeleteMonitoringScheduleRequest>) {
      const schedule = await settledSchedule(input.MonitoringScheduleName!);
      rejectPending(schedule);
      ctx.lifecycle.plan(schedule, []);
      schedules.delete(schedule);
      return {};
    },
    async ListMonitoringSchedules(input: Wire<ListMonitoringSchedulesRequest>) {
      await settleAll(ctx.lifecycle, schedules.values());
      const { page, NextToken } = list(schedules.values(), input, {
        status: (s) => s.status,
        defaultOrder: 'Descending',
        where: (s) => {
          const d = effectiveDefinition(s.config);
          return (
            (input.EndpointName === undefined || d.endpointName === input.EndpointName) &&
            (input.MonitoringJobDefinitionName === undefined ||
              d.name === input.MonitoringJobDefinitionName) &&
            (input.MonitoringTypeEquals === undefined || d.type === input.MonitoringTypeEquals)
          );
        },
      });
      return {
        MonitoringScheduleSummaries: page.map((s) => {
          const d = effectiveDefinition(s.config);
          return {
            MonitoringScheduleName: s.name,
            MonitoringScheduleArn: s.arn,
            CreationTime: s.creationTime,
            LastModifiedTime: s.lastModifiedTime,
            MonitoringScheduleStatus: s.status,
            EndpointName: d.endpointName,
            MonitoringJobDefinitionName: d.name,
            MonitoringType: d.type,
          };
        }),
        NextToken,
      };
    },
    async ListMonitoringExecutions(input: Wire<ListMonitoringExecutionsRequest>) {
      await settleAll(ctx.lifecycle, schedules.values());
      const chosen = await executionsOf(
        (e) =>
          (input.MonitoringScheduleName === undefined || e.scheduleName === input.MonitoringScheduleName) &&
          (input.EndpointName === undefined || e.definition.endpointName === input.EndpointName) &&
          (input.MonitoringJobDefinitionName === undefined ||
            e.definition.name === input.MonitoringJobDefinitionName) &&
          (input.MonitoringTypeEquals === undefined || e.definition.type === input.MonitoringTypeEquals),
      );
      const { page, NextToken } = list(chosen, input, {
        status: executionStatus,
        defaultOrder: 'Descending',
        lastModified: executionModified,
        scheduled: (e) => e.scheduledTime,
      });
      return { MonitoringExecutionSummaries: page.map(summary), NextToken };
    },
  };

  for (const { type } of definitionKinds) {
    const registry = definitions.get(type)!;
    Object.assign(operations, {
      [`Create${type}JobDefinition`]: (input: DefinitionRequest) => {
        const name = input.JobDefinitionName!;
        refuseClosedAccount();
        if (registry.get(name)) throw resourceInUse(`Job definition ${name} already exists.`);
        const definition: JobDefinition = {
          ...newResource(name, registry.arn(name), ctx.now()),
          tags: tagsFrom(input.Tags),
          type,
          request: input,
        };
        registry.add(definition);
        return { JobDefinitionArn: definition.arn };
      },
      [`Describe${type}JobDefinition`]: (input: { JobDefinitionName?: string }) => {
        const definition = registry.require(input.JobDefinitionName!);
        return {
          ...echo(definition.request, ['Tags']),
          JobDefinitionArn: definition.arn,
          CreationTime: definition.creationTime,
        };
      },
      [`Delete${type}JobDefinition`]: (input: { JobDefinitionName?: string }) => {
        registry.delete(registry.require(input.JobDefinitionName!));
        return {};
      },
      [`List${type}JobDefinitions`]: (input: Wire<ListMonitoringSchedulesRequest>) => {
        const endpointOf = (d: JobDefinition): string | undefined =>
          definitionPart(d.request, type, 'JobInput')?.EndpointInput?.EndpointName;
        const { page, NextToken } = list(registry.values(), input, {
          defaultOrder: 'Descending',
          where: (d) => input.EndpointName === undefined || endpointOf(d) === input.EndpointName,
        });
        return {
          JobDefinitionSummaries: page.map((d) => ({
            MonitoringJobDefinitionName: d.name,
            MonitoringJobDefinitionArn: d.arn,
            CreationTime: d.creationTime,
            EndpointName: endpointOf(d),
          })),
          NextToken,
        };
      },
    });
  }

  const clear = (): void => {
    executions.length = 0;
  };

  return { schedules, definitions: [...definitions.values()], operations, clear };
}

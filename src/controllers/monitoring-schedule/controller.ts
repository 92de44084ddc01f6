import {
  CreateMonitoringScheduleCommand,
  CreateProcessingJobCommand,
  DeleteMonitoringScheduleCommand,
  DescribeMonitoringScheduleCommand,
  DescribeProcessingJobCommand,
  ListMonitoringExecutionsCommand,
  ListMonitoringSchedulesCommand,
  StartMonitoringScheduleCommand,
  StopMonitoringScheduleCommand,
  StopProcessingJobCommand,
  UpdateMonitoringScheduleCommand,
  type DescribeMonitoringScheduleResponse,
  type DescribeProcessingJobResponse,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { endpointDescriptor } from '../../crds/endpoint.js';
import {
  DEFINITION_FIELDS,
  type LastExecution,
  monitoringSchedule as scheduleKind,
  monitoringScheduleDescriptor,
  type MonitoringScheduleObject,
  type MonitoringScheduleSpec,
  type MonitoringScheduleStatus,
} from '../../crds/monitoring-schedule.js';
import {
  awaitChange,
  defineController,
  done,
  findCondition,
  ReconcileError,
  requeueAfter,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import {
  changeSourcesOf,
  listedPage,
  modifiedAfter,
  type ChangeListing,
  type KindControllerOptions,
} from '../common/change-detection.js';
import { ManagedResource, type ResourceRef } from '../common/managed-resource.js';
import { pollDelay, untilGone } from '../common/polling.js';
import { isoTime } from '../common/sagemaker-shape.js';
import { including } from '../common/managed-resource.js';
import { expectsExecution, RUNNING_EXECUTION, untilNextLook } from './cadence.js';
import { JobDefinitions } from './definitions.js';
import {
  executionWarning,
  needsReport,
  observedExecution,
  sameExecution,
  violationsCondition,
} from './executions.js';
import {
  baselinePlan,
  definitionRequest,
  monitorImage,
  scheduleConfig,
  scheduleMatches,
  type Baseline,
  type DefinitionRequest,
} from './plan.js';
import { readViolations } from './report.js';
import { waitForReference, invalidSpec } from '../common/conditions.js';
import { upstreamJobs } from '../common/prerequisites.js';
import { followedDataset } from './dataset.js';

/** A schedule hour as SageMaker counts it; tests that run SageMaker's time faster pass a shorter one. */
export const SCHEDULE_HOUR_MS = 3_600_000;

/** Schedules for change detection: ListMonitoringSchedules reports every state change's time. */
const scheduleListing: ChangeListing = {
  kind: scheduleKind.kind,
  nameField: 'monitoringScheduleName',
  listModifiedAfter: async (sagemaker, after, nextToken, cancel) => {
    const page = await sagemaker.send(
      new ListMonitoringSchedulesCommand(modifiedAfter(after, nextToken)),
      cancel,
    );
    return listedPage(page.MonitoringScheduleSummaries, (s) => s.MonitoringScheduleName, page.NextToken);
  },
};

/**
 * Executions change without the schedule's LastModifiedTime moving: one ListMonitoringExecutions
 * per region finds them for every schedule at once. It runs about once a minute (of schedule time)
 * while some schedule of the region runs an execution or is in a look slot after its scheduled
 * time (cadence.ts), at the drift interval otherwise.
 */
function executionListing(hourMs: number): ChangeListing {
  return {
    kind: scheduleKind.kind,
    label: 'MonitoringSchedule execution',
    nameField: 'monitoringScheduleName',
    listModifiedAfter: async (sagemaker, after, nextToken, cancel) => {
      const page = await sagemaker.send(
        new ListMonitoringExecutionsCommand(modifiedAfter(after, nextToken)),
        cancel,
      );
      // A schedule lists several executions: each is remembered on its own, or they would take turns.
      // One still Pending is not worth a describe: the schedule is described when it starts.
      const listed = (page.MonitoringExecutionSummaries ?? []).filter(
        (e) => e.MonitoringExecutionStatus !== 'Pending',
      );
      const resources = listed.map((e) => ({
        name: e.MonitoringScheduleName ?? '',
        lastModifiedTime: e.LastModifiedTime,
        summary: e,
        key: `${e.MonitoringScheduleName ?? ''}@${e.ScheduledTime?.getTime() ?? 0}`,
      }));
      return { resources, nextToken: page.NextToken };
    },
    expectsChange: (obj, now) => {
      const schedule = obj as MonitoringScheduleObject;
      return expectsExecution(schedule.spec.schedule.scheduleExpression, schedule.status, now, hourMs);
    },
    activeIntervalMs: hourMs / 60,
  };
}

type Context = ReconcileContext<MonitoringScheduleStatus>;

/** Reconciles MonitoringSchedule objects with a baseline, a job definition and a schedule. */
export function monitoringScheduleController(options: KindControllerOptions, hourMs = SCHEDULE_HOUR_MS) {
  return defineController<MonitoringScheduleObject, MonitoringScheduleStatus>({
    kind: monitoringScheduleDescriptor,
    reconcile: (ctx, obj) => new ScheduleReconcile(options, hourMs, ctx, obj).apply(),
    finalize: (ctx, obj) => new ScheduleReconcile(options, hourMs, ctx, obj).cleanUp(),
    references: [
      { kind: endpointDescriptor, names: (obj) => (obj.spec.endpointRef ? [obj.spec.endpointRef.name] : []) },
    ],
    changeSources: [
      ...changeSourcesOf<MonitoringScheduleObject>(options, scheduleListing),
      ...changeSourcesOf<MonitoringScheduleObject>(options, executionListing(hourMs)),
    ],
  });
}

class ScheduleReconcile {
  private readonly resource: ManagedResource<MonitoringScheduleStatus>;
  private readonly schedule: ResourceRef<DescribeMonitoringScheduleResponse>;
  private readonly definitions: JobDefinitions;
  /** How long the running baselining job has run. */
  private baselineAgeMs = 0;

  constructor(
    private readonly options: KindControllerOptions,
    private readonly hourMs: number,
    private readonly ctx: Context,
    private readonly obj: MonitoringScheduleObject,
  ) {
    this.resource = new ManagedResource(ctx, obj, options, {
      ...scheduleListing,
      arnField: 'monitoringScheduleArn',
    });
    const name = this.resource.name;
    this.schedule = {
      label: 'monitoring schedule',
      name,
      describe: () =>
        this.sagemaker.send(
          new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: name }),
          this.cancel,
        ),
      arnOf: (d) => d.MonitoringScheduleArn,
    };
    this.definitions = new JobDefinitions(obj.spec.monitoringType, this.sagemaker, this.cancel);
  }

  private get sagemaker(): SageMakerClient {
    return this.resource.sagemaker;
  }

  private get cancel(): { abortSignal: AbortSignal } {
    return this.resource.cancel;
  }

  private get status(): Partial<MonitoringScheduleStatus> {
    return this.ctx.status.current;
  }

  async apply(): Promise<ReconcileResult> {
    await this.resource.recordName();
    const endpointName = this.monitoredEndpoint();
    if (endpointName === null) return done;
    const ready = await this.resolvedSpec();
    if ('result' in ready) return ready.result;
    const { spec } = ready;
    const image = monitorImage(spec, this.resource.region);
    if (image === undefined) this.invalid(this.noImageMessage('job definition'));
    const baseline = await this.baseline(spec);
    if (!baseline) return requeueAfter(this.jobPollMs());
    const definition = definitionRequest(
      spec,
      this.resource.name,
      this.obj.metadata.uid,
      endpointName,
      image,
      baseline,
      this.resource.tags,
    );
    if (!(await this.ensureDefinition(definition))) return requeueAfter(this.options.polling.minMs);
    const desired = scheduleConfig(this.obj.spec, definition.JobDefinitionName);
    const schedule = await this.resource.find(this.schedule);
    if (!schedule) return this.create(desired);
    if (this.resource.mustClaim(this.status.monitoringScheduleArn))
      await this.resource.claim(this.schedule, schedule);
    const executionChanged = await this.observe(schedule);
    const state = schedule.MonitoringScheduleStatus;
    if (state === 'Pending') return this.waitPending(schedule);
    if (state === 'Failed') {
      const reason = `monitoring schedule ${this.resource.name} failed: ${schedule.FailureReason ?? 'no reason given'}`;
      this.ctx.status.setCondition('Ready', 'False', 'Failed', reason);
      if (scheduleMatches(schedule.MonitoringScheduleConfig, desired))
        throw new ReconcileError('terminal', 'CreateFailed', reason);
    }
    if (!scheduleMatches(schedule.MonitoringScheduleConfig, desired)) return this.update(desired);
    const suspend = this.obj.spec.suspend === true;
    if (suspend ? state === 'Scheduled' : state === 'Stopped') return this.setSuspended(suspend);
    this.ctx.status.setCondition(
      'Ready',
      'True',
      suspend ? 'Suspended' : 'Scheduled',
      suspend
        ? `monitoring schedule ${this.resource.name} is stopped (suspend: true)`
        : `monitoring schedule ${this.resource.name} runs ${this.obj.spec.schedule.scheduleExpression} on ${definition.JobDefinitionName}`,
    );
    // A reconcile for an execution leaves tag drift to the next one at rest: at most one call each.
    if (!executionChanged) await this.resource.correctTags(schedule.MonitoringScheduleArn ?? '');
    await this.deleteRetiredDefinitions(definition.JobDefinitionName);
    return this.options.changeDetection ? done : this.withoutSweeps();
  }

  /** Delete policy: the schedule once it is not Pending, then its definitions and a running baselining job. */
  async cleanUp(): Promise<ReconcileResult> {
    if (!this.resource.nameRecorded) return done;
    const schedule = await this.resource.find(this.schedule);
    if (schedule && (await this.resource.owns(schedule.MonitoringScheduleArn ?? ''))) {
      if (schedule.MonitoringScheduleStatus === 'Pending') {
        const message = `waiting for monitoring schedule ${this.resource.name} to leave Pending before deleting it`;
        this.ctx.status.setCondition('Ready', 'False', 'Deleting', message);
        return requeueAfter(pollDelay(ageOf(schedule.LastModifiedTime), untilGone(this.options.polling)));
      }
      await this.sagemaker.send(
        new DeleteMonitoringScheduleCommand({ MonitoringScheduleName: this.resource.name }),
        this.cancel,
      );
      const message = `deleting monitoring schedule ${this.resource.name}`;
      this.ctx.events.normal('Deleting', message, 'Delete');
      this.ctx.status.setCondition('Ready', 'False', 'Deleting', message);
      return requeueAfter(this.options.polling.minMs);
    }
    await this.deleteDefinitions(this.status.createdJobDefinitionNames ?? []);
    return (await this.stopBaselining()) ? done : requeueAfter(this.options.polling.minMs);
  }

  /**
   * The SageMaker endpoint monitored; null while a referenced Endpoint is not InService and the
   * schedule is still to be created. Readiness gates the creation only: a schedule in place keeps
   * running, and being observed, while its Endpoint updates (a new model version rolling out).
   */
  private monitoredEndpoint(): string | undefined | null {
    const ref = this.obj.spec.endpointRef;
    if (!ref) return this.obj.spec.endpointName;
    const status = this.ctx.cache.get(endpointDescriptor, this.obj.metadata.namespace, ref.name)?.status;
    const ready = findCondition(status?.conditions, 'Ready')?.status === 'True';
    if (status?.endpointName && (ready || this.status.monitoringScheduleArn !== undefined)) {
      this.ctx.status.set({ endpointName: status.endpointName });
      return status.endpointName;
    }
    waitForReference(this.ctx.status, {
      type: 'waiting',
      message: `waiting for Endpoint ${ref.name} to be Ready (InService)`,
    });
    return null;
  }

  /**
   * The spec as SageMaker gets it (the baseline dataset's s3UriFrom resolved). Before anything is
   * created, once what the schedule depends on is ready and its gates hold; else how the reconcile
   * ends meanwhile. Afterwards dependsOn and when hold nothing back, and the dataset follows its
   * upstream job (followedDataset).
   */
  private async resolvedSpec(): Promise<{ spec: MonitoringScheduleSpec } | { result: ReconcileResult }> {
    if (!this.createdAnything) return this.resource.prerequisites(this.obj.spec);
    const { namespace } = this.obj.metadata;
    const jobs = upstreamJobs(this.ctx.cache, namespace);
    const followed = followedDataset(this.obj.spec, jobs, this.status.inputs ?? []);
    if (followed.type !== 'ready') {
      waitForReference(this.ctx.status, followed);
      return { result: awaitChange };
    }
    if (followed.inputs)
      this.ctx.status.set({ inputs: followed.inputs.length > 0 ? followed.inputs : undefined });
    return { spec: followed.spec };
  }

  /** Whether a baselining job, a job definition or the schedule may have been created. */
  private get createdAnything(): boolean {
    const { monitoringScheduleArn, createdJobDefinitionNames = [], baseline } = this.status;
    return (
      monitoringScheduleArn !== undefined ||
      createdJobDefinitionNames.length > 0 ||
      baseline?.jobName !== undefined
    );
  }

  private noImageMessage(what: string): string {
    const field = DEFINITION_FIELDS[this.obj.spec.monitoringType];
    return `no built-in Model Monitor analyzer image is known for region ${this.resource.region} (the ${what} needs one): set ${field}.${field.replace('JobDefinition', 'AppSpecification')}.imageUri`;
  }

  private invalid(message: string): never {
    return invalidSpec(this.ctx.status, message);
  }

  /** The baseline URIs; undefined while the baselining job of fromDataset runs. */
  private async baseline(resolved: MonitoringScheduleSpec): Promise<Baseline | undefined> {
    const spec = resolved.baseline;
    if (!spec?.fromDataset) {
      const given = { constraintsUri: spec?.constraintsUri, statisticsUri: spec?.statisticsUri };
      this.ctx.status.set({ baseline: spec ? given : undefined });
      return given;
    }
    const plan = baselinePlan(resolved, this.resource.name, this.resource.region, this.resource.tags);
    if (!plan) return this.invalid(this.noImageMessage('baselining job'));
    const name = plan.request.ProcessingJobName;
    const uris = { constraintsUri: plan.constraintsUri, statisticsUri: plan.statisticsUri };
    const recorded = this.status.baseline;
    if (recorded?.jobName === name && recorded.jobStatus === 'Completed') return uris;
    if (recorded?.jobName !== name) {
      this.ctx.status.set({ baseline: { jobName: name } });
      await this.ctx.status.flush();
    }
    const ref = this.baselineRef(name);
    let job = await this.resource.claimIfPresent(ref);
    if (!job) {
      const creation = await this.resource.create(ref, () =>
        this.sagemaker.send(new CreateProcessingJobCommand(plan.request), this.cancel),
      );
      if (creation.type !== 'found') {
        const message = `running baselining job ${name} on ${spec.fromDataset.s3Uri ?? ''}`;
        if (creation.type === 'created') this.ctx.events.normal('Baselining', message, 'Create');
        const jobArn = creation.type === 'created' ? creation.answer.ProcessingJobArn : undefined;
        this.ctx.status.set({ baseline: { jobName: name, ...(jobArn && { jobArn }) } });
        this.ctx.status.setCondition('Ready', 'False', 'Baselining', message);
        return undefined;
      }
      job = creation.description;
    }
    this.baselineAgeMs = ageOf(job.CreationTime);
    const jobStatus = job.ProcessingJobStatus;
    const failureReason = job.FailureReason;
    if (jobStatus === 'Completed') {
      this.ctx.status.set({ baseline: { jobName: name, jobStatus, ...uris } });
      return uris;
    }
    this.ctx.status.set({ baseline: { jobName: name, jobStatus, ...(failureReason && { failureReason }) } });
    if (jobStatus === 'Failed' || jobStatus === 'Stopped') {
      const message = `baselining job ${name} ${jobStatus === 'Failed' ? `failed: ${failureReason ?? 'no reason given'}` : 'was stopped'}`;
      this.ctx.status.setCondition('Ready', 'False', 'Failed', message);
      throw new ReconcileError('terminal', 'CreateFailed', message);
    }
    this.ctx.status.setCondition(
      'Ready',
      'False',
      'Baselining',
      `baselining job ${name} is ${jobStatus ?? 'starting'}`,
    );
    return undefined;
  }

  private baselineRef(name: string): ResourceRef<DescribeProcessingJobResponse> {
    return {
      label: 'baselining job',
      name,
      describe: () =>
        this.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }), this.cancel),
      arnOf: (d) => d.ProcessingJobArn,
    };
  }

  /** How soon a running baselining job is looked at again: no sweep lists processing jobs here. */
  private jobPollMs(): number {
    return pollDelay(this.baselineAgeMs, untilGone(this.options.polling));
  }

  /**
   * The definition, described (and claimed) before it is created; its name is recorded first so a
   * crash after the create still deletes it in the end. Skipped when status shows it in place for
   * this generation. False while it exists but cannot be described yet.
   */
  private async ensureDefinition(definition: DefinitionRequest): Promise<boolean> {
    const name = definition.JobDefinitionName;
    if (this.status.jobDefinitionName === name && !this.resource.mustClaim(this.status.monitoringScheduleArn))
      return true;
    const created = this.status.createdJobDefinitionNames;
    if (!created?.includes(name)) {
      this.ctx.status.set({ createdJobDefinitionNames: including(created, [name]) });
      await this.ctx.status.flush();
    }
    const ensured = await this.resource.attemptCreate(() =>
      this.resource.ensure(this.definitions.ref(name), () => this.definitions.create(definition)),
    );
    if (ensured === 'present') this.ctx.status.set({ jobDefinitionName: name });
    return ensured === 'present';
  }

  private async create(desired: ReturnType<typeof scheduleConfig>): Promise<ReconcileResult> {
    // Nothing runs yet: Ready says why (InvalidSpec, AccessDenied, QuotaExceeded).
    const creation = await this.resource.attemptCreate(() =>
      this.resource.create(this.schedule, () =>
        this.sagemaker.send(
          new CreateMonitoringScheduleCommand({
            MonitoringScheduleName: this.resource.name,
            MonitoringScheduleConfig: desired,
            Tags: this.resource.tags,
          }),
          this.cancel,
        ),
      ),
    );
    if (creation.type === 'created') {
      this.ctx.status.set({ monitoringScheduleArn: creation.answer.MonitoringScheduleArn });
      const message = `creating monitoring schedule ${this.resource.name} on ${desired.MonitoringJobDefinitionName ?? ''}`;
      this.ctx.events.normal('Creating', message, 'Create');
      this.ctx.status.setCondition('Ready', 'False', 'Creating', message);
    }
    return requeueAfter(this.options.polling.minMs);
  }

  /** Pending after a create or an update: SageMaker refuses every change until it is over. */
  private waitPending(schedule: DescribeMonitoringScheduleResponse): ReconcileResult {
    const ready = findCondition(this.status.conditions, 'Ready');
    const creating = this.status.monitoringScheduleStatus === undefined || ready?.reason === 'Creating';
    this.ctx.status.setCondition(
      'Ready',
      'False',
      creating ? 'Creating' : 'Updating',
      `monitoring schedule ${this.resource.name} is Pending`,
    );
    return requeueAfter(pollDelay(ageOf(schedule.LastModifiedTime), this.options.polling));
  }

  /** A new definition or timing, once no execution runs (it would keep the old definition). */
  private async update(desired: ReturnType<typeof scheduleConfig>): Promise<ReconcileResult> {
    const running = this.status.lastExecution;
    if (running && RUNNING_EXECUTION.has(running.status)) {
      const message = `waiting for the execution scheduled at ${running.scheduledTime} to finish before updating monitoring schedule ${this.resource.name}`;
      this.ctx.status.setCondition('Ready', 'False', 'Updating', message);
      return requeueAfter(this.options.changeDetection ? this.options.polling.maxMs : this.executionPollMs());
    }
    await this.sagemaker.send(
      new UpdateMonitoringScheduleCommand({
        MonitoringScheduleName: this.resource.name,
        MonitoringScheduleConfig: desired,
      }),
      this.cancel,
    );
    const message = `updating monitoring schedule ${this.resource.name} to ${desired.MonitoringJobDefinitionName ?? ''}`;
    this.ctx.events.normal('Updating', message, 'Update');
    this.ctx.status.setCondition('Ready', 'False', 'Updating', message);
    return requeueAfter(this.options.polling.minMs);
  }

  /** suspend: StopMonitoringSchedule, or StartMonitoringSchedule when it is lifted. */
  private async setSuspended(suspend: boolean): Promise<ReconcileResult> {
    const request = { MonitoringScheduleName: this.resource.name };
    await (suspend
      ? this.sagemaker.send(new StopMonitoringScheduleCommand(request), this.cancel)
      : this.sagemaker.send(new StartMonitoringScheduleCommand(request), this.cancel));
    const message = suspend
      ? `stopping monitoring schedule ${this.resource.name} (suspend: true)`
      : `starting monitoring schedule ${this.resource.name} again`;
    this.ctx.events.normal(suspend ? 'Suspended' : 'Scheduled', message, suspend ? 'Stop' : 'Start');
    this.ctx.status.setCondition('Ready', 'False', 'Updating', message);
    return requeueAfter(this.options.polling.minMs);
  }

  /**
   * Mirrors the schedule and its latest execution; a finished execution's report is read once
   * (DescribeProcessingJob for its output, S3 for constraint_violations.json). True when the
   * execution is another one, or in another state, than status recorded.
   */
  private async observe(schedule: DescribeMonitoringScheduleResponse): Promise<boolean> {
    this.ctx.status.set({
      monitoringScheduleArn: schedule.MonitoringScheduleArn,
      monitoringScheduleStatus: schedule.MonitoringScheduleStatus,
      failureReason: schedule.FailureReason,
      lastModifiedTime: isoTime(schedule.LastModifiedTime),
      endpointName: schedule.EndpointName ?? this.status.endpointName,
    });
    const summary = schedule.LastMonitoringExecutionSummary;
    const recorded = this.status.lastExecution;
    if (!summary) {
      const none = violationsCondition(undefined);
      this.ctx.status.setCondition('Violations', none.status, none.reason, none.message);
      return false;
    }
    let current = observedExecution(summary);
    const changed = !(sameExecution(recorded, current) && recorded?.status === current.status);
    if (needsReport(recorded, current)) current = await this.withReport(current);
    else if (recorded && sameExecution(recorded, current) && recorded.status === current.status)
      current = recorded;
    const warning = executionWarning(recorded, current);
    if (warning) this.ctx.events.warning(warning.reason, warning.note, 'Monitor');
    const condition = violationsCondition(
      RUNNING_EXECUTION.has(current.status) ? this.lastFinished(recorded) : current,
    );
    this.ctx.status.setCondition('Violations', condition.status, condition.reason, condition.message);
    this.ctx.status.set({
      lastExecution: current,
      ...(current.status.startsWith('Completed') && { lastCompletedExecutionTime: current.scheduledTime }),
    });
    return changed;
  }

  /** While an execution runs, the condition keeps telling what the one before it found. */
  private lastFinished(recorded: LastExecution | undefined): LastExecution | undefined {
    return recorded && !RUNNING_EXECUTION.has(recorded.status) ? recorded : undefined;
  }

  private async withReport(execution: LastExecution): Promise<LastExecution> {
    if (!execution.processingJobName) return execution;
    const job = await this.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: execution.processingJobName }),
      this.cancel,
    );
    const reportUri = job.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri;
    if (!reportUri) return execution;
    const violations = await readViolations(this.options.aws.s3(this.resource.scope), reportUri, this.cancel);
    return { ...execution, reportUri, ...(violations && { violations }) };
  }

  /** Without sweeps, the schedule itself is described in each look slot and while an execution runs. */
  private withoutSweeps(): ReconcileResult {
    const expression = this.obj.spec.schedule.scheduleExpression;
    const status = this.ctx.status.object.status as Partial<MonitoringScheduleStatus>;
    const now = Date.now();
    if (expectsExecution(expression, status, now, this.hourMs)) return requeueAfter(this.executionPollMs());
    const next = untilNextLook(expression, status, now, this.hourMs);
    return next === undefined ? done : requeueAfter(next);
  }

  private executionPollMs(): number {
    return Math.max(this.options.polling.minMs, this.hourMs / 60);
  }

  /** Definitions this object created that the schedule no longer uses. */
  private async deleteRetiredDefinitions(current: string): Promise<void> {
    const retired = (this.status.createdJobDefinitionNames ?? []).filter((name) => name !== current);
    await this.deleteDefinitions(retired);
  }

  /** Deletes the definitions that carry this object's tags, and forgets them in status. */
  private async deleteDefinitions(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    for (const name of names) {
      const arn = (await this.resource.find(this.definitions.ref(name)))?.JobDefinitionArn;
      if (arn && (await this.resource.owns(arn))) await this.definitions.delete(name);
    }
    const kept = (this.status.createdJobDefinitionNames ?? []).filter((name) => !names.includes(name));
    this.ctx.status.set({ createdJobDefinitionNames: kept });
  }

  /**
   * A baselining job of ours that still runs is stopped: nothing will use its baseline. False while
   * one our create answered for cannot be described yet.
   */
  private async stopBaselining(): Promise<boolean> {
    const recorded = this.status.baseline;
    const name = recorded?.jobName;
    if (!name) return true;
    const job = await this.resource.find(this.baselineRef(name));
    if (!job) return !this.resource.mayStillAppear(recorded.jobArn, recorded.jobStatus);
    if (job.ProcessingJobStatus !== 'InProgress' || !(await this.resource.owns(job.ProcessingJobArn ?? '')))
      return true;
    await this.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: name }), this.cancel);
    this.ctx.events.normal('Stopping', `stopping baselining job ${name}`, 'Delete');
    return true;
  }
}

function ageOf(since: Date | undefined): number {
  return since ? Math.max(0, Date.now() - since.getTime()) : 0;
}

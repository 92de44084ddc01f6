import {
  monitoringScheduleDescriptor,
  type MonitoringScheduleObject,
  type MonitoringScheduleSpec,
  type MonitoringScheduleStatus,
} from '../../crds/monitoring-schedule.js';
import { endpointDescriptor } from '../../crds/endpoint.js';
import {
  awaitChange,
  defineController,
  done,
  findCondition,
  requeueAfter,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import { changeSourcesOf, type KindControllerOptions } from '../common/change-detection.js';
import { invalidSpec, waitForReference } from '../common/conditions.js';
import { ManagedResource } from '../common/managed-resource.js';
import { upstreamJobs } from '../common/prerequisites.js';
import { Baselining } from './baselining.js';
import { followedDataset } from './dataset.js';
import { JobDefinitions } from './definitions.js';
import { executionListing, scheduleListing } from './listings.js';
import { Observation } from './observation.js';
import { definitionRequest, monitorImage, noImageMessage, scheduleConfig } from './plan.js';
import { Schedule } from './schedule.js';

/** A schedule hour as SageMaker counts it; tests that run SageMaker's time faster pass a shorter one. */
export const SCHEDULE_HOUR_MS = 3_600_000;

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

/**
 * One reconcile of a schedule, in the order SageMaker needs its parts: the monitored endpoint, the
 * baseline (a baselining job's, when the spec asks for one), the job definition on that baseline,
 * then the schedule on that definition, whose executions it reports.
 */
class ScheduleReconcile {
  private readonly resource: ManagedResource<MonitoringScheduleStatus>;
  private readonly baselining: Baselining;
  private readonly definitions: JobDefinitions;
  private readonly schedule: Schedule;
  private readonly observation: Observation;

  constructor(
    private readonly options: KindControllerOptions,
    hourMs: number,
    private readonly ctx: Context,
    private readonly obj: MonitoringScheduleObject,
  ) {
    this.resource = new ManagedResource(ctx, obj, options, {
      ...scheduleListing,
      arnField: 'monitoringScheduleArn',
    });
    this.baselining = new Baselining(ctx, this.resource, options.polling);
    this.definitions = new JobDefinitions(obj.spec.monitoringType, ctx, this.resource);
    this.observation = new Observation(ctx, obj, this.resource, options, hourMs);
    this.schedule = new Schedule(ctx, obj, this.resource, options, this.observation.executionPollMs);
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
    const { name, region, tags } = this.resource;
    const image = monitorImage(spec, region);
    if (image === undefined) invalidSpec(this.ctx.status, noImageMessage(spec, region, 'job definition'));
    const baseline = await this.baselining.baseline(spec);
    if (!baseline) return requeueAfter(this.baselining.retryMs);
    const definition = definitionRequest(
      spec,
      name,
      this.obj.metadata.uid,
      endpointName,
      image,
      baseline,
      tags,
    );
    if (!(await this.definitions.ensure(definition))) return requeueAfter(this.options.polling.minMs);
    const desired = scheduleConfig(this.obj.spec, definition.JobDefinitionName);
    const schedule = await this.schedule.find();
    if (!schedule) return this.schedule.create(desired);
    const executionChanged = await this.observation.observe(schedule);
    const moving = await this.schedule.converge(schedule, desired);
    if (moving) return moving;
    // A reconcile for an execution leaves tag drift to the next one at rest: at most one call each.
    if (!executionChanged) await this.resource.correctTags(schedule.MonitoringScheduleArn ?? '');
    await this.definitions.deleteRetired(definition.JobDefinitionName);
    return this.options.changeDetection ? done : this.observation.nextLook();
  }

  /** Delete policy: the schedule once it is not Pending, then its definitions and a running baselining job. */
  async cleanUp(): Promise<ReconcileResult> {
    if (!this.resource.nameRecorded) return done;
    const deleting = await this.schedule.delete();
    if (deleting) return deleting;
    await this.definitions.deleteAll();
    return (await this.baselining.stop()) ? done : requeueAfter(this.options.polling.minMs);
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
}

import type { SageMakerClient, Tag } from '@aws-sdk/client-sagemaker';
import {
  awaitChange,
  done,
  findCondition,
  requeueAfter,
  spread,
  type Condition,
  type ControllerDefinition,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import { waitForReference, type ConditionValue } from './conditions.js';
import { isFinished, isRunning, jobConditions, nextPollMs, type JobView } from './job-states.js';
import type { ManagedObject } from '../../crds/kind.js';
import { ManagedJob, type JobCalls, type RecordedJob } from './managed-job.js';
import { ManagedResource } from './managed-resource.js';
import type { ChangeListing, KindControllerOptions, KindSweeps } from './change-detection.js';
import { untilGone } from './polling.js';

type Cancel = { abortSignal: AbortSignal };

/** What a kind's preparation of a create sees: the object, its reconcile, its SageMaker skeleton. */
export interface JobContext<Spec, Status> {
  readonly obj: JobObject<Spec>;
  readonly ctx: ReconcileContext<Status>;
  readonly resource: ManagedResource<Status>;
}

/**
 * What a create needs besides the spec, once ready (`value`); or why it cannot be made yet:
 * `waiting` for a referenced object, `invalid` for a reference that can never be satisfied (a failed
 * upstream job), `notVisible` while something just created for it cannot be described yet.
 */
export type Preparation<P> =
  | { readonly type: 'ready'; readonly value: P }
  | { readonly type: 'waiting' | 'invalid'; readonly message: string }
  | { readonly type: 'notVisible' };

/**
 * A SageMaker job kind (training, processing, transform): its calls and how its description reads.
 * The spec is immutable once created (the CRD's CEL rules say so), so a job is created once, polled
 * until it finishes, and stopped, then deleted, when its object goes.
 */
export interface JobKind<Spec, Status, D, S = unknown, P = undefined> extends ChangeListing<S>, JobCalls<D> {
  /** What it is, in messages and events: `training job`. */
  readonly label: string;
  /** The status fields that mirror the job's ARN and SageMaker's state for it. */
  readonly arnField: keyof Status & string;
  readonly stateField: keyof Status & string;
  /**
   * Made ready just before the create of a job that does not exist yet: references resolved,
   * resources the job runs on created (a transform job's model). Absent: the spec is all.
   */
  prepare?(job: JobContext<Spec, Status>): Promise<Preparation<P>>;
  /** Deletes what prepare created, once the job is finished or gone and its object is deleted. */
  release?(job: JobContext<Spec, Status>): Promise<void>;
  /** The create call, with what prepare made ready; returns the new job's ARN. */
  create(
    sagemaker: SageMakerClient,
    spec: Spec,
    name: string,
    tags: Tag[],
    cancel: Cancel,
    prepared: P,
  ): Promise<string | undefined>;
  /** What the description reports, in the kind's status shape (everything but conditions). */
  observedStatus(description: D, region: string): Partial<Status>;
  /**
   * For kinds whose List summary tells a running job's state: a sweep's summary newer than status
   * is mirrored without a describe; a finished job is still described (artifacts, reasons).
   */
  readonly summaries?: {
    /** The status field mirroring the job's LastModifiedTime, which orders summaries and describes. */
    readonly lastModifiedField: keyof Status & string;
    read(summary: S): { view: JobView; status: Partial<Status> };
  };
}

export interface JobObject<Spec> extends ManagedObject {
  spec: Spec & ManagedObject['spec'];
}

/**
 * The reconcile and finalize of a job kind: name recorded before the create,
 * created once (a create answered "name taken" carries on with the job if it is ours), polled until
 * finished (its changes noticed by the kind's sweeps when change detection is on), a job deleted
 * outside the operator reported and not re-run, ownership checked before any tag change, stop or
 * delete.
 */
export function jobLifecycle<O extends JobObject<Spec>, Spec, Status, D, S, P = undefined>(
  kind: JobKind<Spec, Status, D, S, P>,
  options: KindControllerOptions,
): Required<Pick<ControllerDefinition<O, Status>, 'reconcile' | 'finalize' | 'changeSources'>> {
  const sweeps = options.changeDetection?.sweepsOf<O, S>(kind);
  const context = { kind, options, sweeps };
  return {
    reconcile: (ctx, obj) => new JobReconcile(context, ctx, obj).apply(),
    finalize: (ctx, obj) => new JobReconcile(context, ctx, obj).cleanUp(),
    changeSources: sweeps ? [sweeps] : [],
  };
}

/** What every reconcile of one job kind shares. */
interface JobKindContext<Spec, Status, D, S, P> {
  kind: JobKind<Spec, Status, D, S, P>;
  options: KindControllerOptions;
  sweeps: KindSweeps<ManagedObject, S> | undefined;
}

class JobReconcile<Spec, Status, D, S, P> {
  private readonly kind: JobKind<Spec, Status, D, S, P>;
  private readonly options: KindControllerOptions;
  private readonly resource: ManagedResource<Status>;
  private readonly job: ManagedJob<D, Status>;

  constructor(
    private readonly context: JobKindContext<Spec, Status, D, S, P>,
    private readonly ctx: ReconcileContext<Status>,
    private readonly obj: JobObject<Spec>,
  ) {
    const { kind, options } = context;
    this.kind = kind;
    this.options = options;
    this.resource = new ManagedResource(ctx, obj, options, kind);
    this.job = new ManagedJob(ctx, this.resource, kind, options.polling);
  }

  async apply(): Promise<ReconcileResult> {
    // A job that was never created waits for its prerequisites without asking SageMaker about it:
    // a reader is woken by every change of its upstreams.
    await this.resource.recordName();
    const ready = await this.resource.prerequisites(this.obj.spec);
    if ('result' in ready) return ready.result;
    const listed = this.listedChange();
    if (listed) return this.mirror(listed.view, listed.status);
    const found = await this.job.find(this.recorded(this.kind.arnField));
    if (!found) return this.createIfAbsent(ready.spec);
    return this.mirrorDescription(found);
  }

  /**
   * A running job's change as the kind's sweep listed it, when newer than what status shows of a
   * job already claimed: it is mirrored without a describe.
   */
  private listedChange(): { view: JobView; status: Partial<Status> } | undefined {
    const listing = this.context.sweeps?.takeListing(this.resource.name, this.resource.scopeKey);
    const summaries = this.kind.summaries;
    if (!listing || !summaries || this.resource.mustClaim(this.recorded(this.kind.arnField)))
      return undefined;
    const recorded = Date.parse(this.recorded(summaries.lastModifiedField) ?? '');
    if (!((listing.lastModifiedTime?.getTime() ?? 0) > recorded)) return undefined;
    const read = summaries.read(listing.summary);
    return isRunning(read.view) ? read : undefined;
  }

  async cleanUp(): Promise<ReconcileResult> {
    if (!this.resource.nameRecorded) return done;
    const removal = await this.job.removal(this.recordedJob);
    switch (removal.type) {
      case 'notVisible':
        return requeueAfter(this.options.polling.minMs);
      case 'gone':
        return this.released();
      case 'notOurs':
        this.ctx.log.info({ job: removal.job.name }, `not ours: leaving the ${this.kind.label} alone`);
        return this.released();
    }
    this.ctx.status.set(this.kind.observedStatus(removal.description, this.resource.region));
    const { job, step } = removal;
    if (step === 'keep') return this.released();
    this.setCondition('Ready', this.job.deletingCondition(job, step));
    return requeueAfter(await this.job.remove(job, step));
  }

  private get jobContext(): JobContext<Spec, Status> {
    return { obj: this.obj, ctx: this.ctx, resource: this.resource };
  }

  /** The job is gone, finished or not ours: what was made for it goes too. */
  private async released(): Promise<ReconcileResult> {
    await this.kind.release?.(this.jobContext);
    return done;
  }

  /** What the create needs besides the spec, or the result the reconcile ends with meanwhile. */
  private async prepared(): Promise<{ value: P } | { result: ReconcileResult }> {
    if (!this.kind.prepare) return { value: undefined as P };
    const preparation = await this.kind.prepare(this.jobContext);
    switch (preparation.type) {
      case 'ready':
        return { value: preparation.value };
      case 'notVisible':
        return { result: requeueAfter(this.options.polling.minMs) };
      default:
        waitForReference(this.ctx.status, preparation);
        return { result: awaitChange };
    }
  }

  private recorded(field: string): string | undefined {
    const value = (this.ctx.status.current as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  }

  /** What status recorded of the job: the ARN our create returned, the state last described. */
  private get recordedJob(): RecordedJob {
    return { arn: this.recorded(this.kind.arnField), state: this.recorded(this.kind.stateField) };
  }

  /**
   * The job describe did not find: created, unless it was created before (deleted outside the
   * operator, or created but not visible yet). `spec`: the spec as its prerequisites resolved it.
   */
  private async createIfAbsent(spec: Spec): Promise<ReconcileResult> {
    if (this.recorded(this.kind.stateField)) return this.deletedOutOfBand();
    // Never create twice: look again shortly.
    if (this.job.mayStillAppear(this.recordedJob)) return requeueAfter(this.options.polling.minMs);
    const prepared = await this.prepared();
    if ('result' in prepared) return prepared.result;
    const { sagemaker, name, tags, cancel } = this.resource;
    const creation = await this.job.create(() =>
      this.kind.create(sagemaker, spec, name, tags, cancel, prepared.value),
    );
    if (creation.type === 'found') return this.mirrorDescription(creation.description);
    if (creation.type === 'created') {
      // The ARN marks the job as created with our tags, so the next reconcile need not list them.
      this.ctx.status.set({ [this.kind.arnField]: creation.answer } as Partial<Status>);
      const message = `created ${this.kind.label} ${name}`;
      this.ctx.events.normal('Creating', message, 'Create');
      this.setCondition('Ready', { status: 'False', reason: 'Creating', message });
      this.setCondition('Succeeded', { status: 'Unknown', reason: 'Creating', message });
    }
    return requeueAfter(this.options.polling.minMs);
  }

  private deletedOutOfBand(): ReconcileResult {
    const message = `${this.kind.label} ${this.resource.name} was deleted outside the operator; delete this ${this.kind.kind} and apply it again to run it again`;
    const ready = { status: 'False' as const, reason: 'DeletedOutOfBand', message };
    // Once per disappearance, not again at each restart of the operator.
    if (this.changed(ready)) this.ctx.events.warning('DeletedOutOfBand', message);
    this.setCondition('Ready', ready);
    // Re-running a job nobody asked to re-run would cost money; a spec change is required.
    return awaitChange;
  }

  private mirrorDescription(description: D): ReconcileResult {
    return this.mirror(
      this.job.view(description),
      this.kind.observedStatus(description, this.resource.region),
    );
  }

  private mirror(job: JobView, observed: Partial<Status>): ReconcileResult {
    const { ready, succeeded } = jobConditions(this.kind.label, job);
    if (this.changed(ready)) {
      if (job.state === 'Failed') this.ctx.events.warning('Failed', ready.message);
      else this.ctx.events.normal(ready.reason, ready.message);
    }
    this.ctx.status.set(observed);
    this.setCondition('Ready', ready);
    this.setCondition('Succeeded', succeeded);
    // Spread, so that jobs that finished together are not described all at once a day later.
    if (isFinished(job)) return requeueAfter(spread(this.options.polling.finishedMs));
    // Deleted outside the operator: it leaves no trace in a List once it is gone.
    const { polling } = this.options;
    return requeueAfter(nextPollMs(job, new Date(), job.state === 'Deleting' ? untilGone(polling) : polling));
  }

  /** Whether what the user sees changed enough to be worth an event. */
  private changed(ready: ConditionValue): boolean {
    const conditions = (this.ctx.status.current as { conditions?: Condition[] }).conditions;
    const before = findCondition(conditions, 'Ready');
    return before?.reason !== ready.reason || before.message !== ready.message;
  }

  private setCondition(type: string, value: ConditionValue): void {
    this.ctx.status.setCondition(type, value.status, value.reason, value.message);
  }
}

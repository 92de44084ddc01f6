import {
  CreateTrainingJobCommand,
  DeleteTrainingJobCommand,
  DescribeTrainingJobCommand,
  StopTrainingJobCommand,
  type DescribeTrainingJobResponse,
  type SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import type { AwsClients } from '../../aws/clients.js';
import { sagemakerName } from '../../aws/naming.js';
import { ownershipOf, type Owner } from '../../aws/tags.js';
import { trainingJob, type TrainingJobSpec, type TrainingJobStatus } from '../../crds/training-job.js';
import {
  awaitChange,
  defineController,
  done,
  ReconcileError,
  requeueAfter,
  type KubeObject,
  type ObjectMeta,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import { orAbsent } from '../common/cloud.js';
import { descriptorOf } from '../common/kinds.js';
import type { PollingSettings } from '../common/polling.js';
import { applyTags, listAllTags } from '../common/resource-tags.js';
import { desiredTags } from '../common/tags.js';
import { deletionStep, isFinished, jobConditions, nextPollMs, stateChanged } from './lifecycle.js';
import { observedTrainingJobStatus } from './observed-status.js';
import { createTrainingJobRequest } from './request.js';

export interface TrainingJobObject extends KubeObject {
  metadata: ObjectMeta & { name: string; namespace: string; uid: string };
  spec: TrainingJobSpec;
  status?: TrainingJobStatus;
}

export interface TrainingJobControllerOptions {
  readonly aws: AwsClients;
  /** The operator's --region, for objects that name none. */
  readonly defaultRegion: string;
  readonly clusterName: string;
  readonly polling: PollingSettings;
}

type Context = ReconcileContext<TrainingJobStatus>;

/*
 * A finished job changes only if someone deletes it or edits its tags outside Kubernetes, so it is
 * described once per this many drift intervals (one hour by default) instead of every interval.
 */
const FINISHED_JOB_DRIFT_FACTOR = 6;

/** Reconciles TrainingJob objects with SageMaker training jobs (DESIGN.md §4-6). */
export function trainingJobController(options: TrainingJobControllerOptions) {
  return defineController<TrainingJobObject, TrainingJobStatus>({
    kind: descriptorOf<TrainingJobObject>(trainingJob),
    reconcile: (ctx, obj) => new TrainingJobReconcile(options, ctx, obj).apply(),
    finalize: (ctx, obj) => new TrainingJobReconcile(options, ctx, obj).cleanUp(),
  });
}

class TrainingJobReconcile {
  private readonly sagemaker: SageMakerClient;
  private readonly region: string;
  private readonly jobName: string;
  private readonly owner: Owner;
  /** Every SageMaker call is abandoned when this replica must stop acting (cancel-safe reconcile). */
  private readonly cancel: { abortSignal: AbortSignal };

  constructor(
    private readonly options: TrainingJobControllerOptions,
    private readonly ctx: Context,
    private readonly obj: TrainingJobObject,
  ) {
    const { namespace, name, uid } = obj.metadata;
    this.region = obj.spec.region ?? options.defaultRegion;
    this.sagemaker = options.aws.sagemaker(this.region);
    this.jobName = obj.status?.trainingJobName ?? obj.spec.trainingJobName ?? sagemakerName(namespace, name);
    this.owner = { kind: trainingJob.kind, namespace, name, uid, clusterName: options.clusterName };
    this.cancel = { abortSignal: ctx.signal };
  }

  async apply(): Promise<ReconcileResult> {
    await this.recordName();
    const job = await this.describe();
    if (!job) return this.absent();
    if (this.mustCheckTags()) await this.claimAndTag(job);
    return this.mirror(job);
  }

  async cleanUp(): Promise<ReconcileResult> {
    if (!this.obj.status?.trainingJobName) return done;
    const job = await this.describe();
    if (!job) return done;
    if (ownershipOf(await this.tagsOf(job), this.owner) === 'foreign') {
      this.ctx.log.info({ trainingJob: this.jobName }, 'not ours: leaving the training job alone');
      return done;
    }
    const step = deletionStep(job);
    if (step === 'stop') {
      await this.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: this.jobName }), this.cancel);
      this.ctx.events.normal('Stopping', `stopping training job ${this.jobName} before deleting it`, 'Stop');
    } else if (step === 'delete') {
      await this.sagemaker.send(new DeleteTrainingJobCommand({ TrainingJobName: this.jobName }), this.cancel);
      this.ctx.events.normal('Deleting', `deleting training job ${this.jobName}`, 'Delete');
    }
    return requeueAfter(
      step === 'wait' ? nextPollMs(job, new Date(), this.options.polling) : this.options.polling.minMs,
    );
  }

  /** The name goes to status before any create, so a crash after the create finds the job again. */
  private async recordName(): Promise<void> {
    if (this.ctx.status.current.trainingJobName === this.jobName) return;
    this.ctx.status.set({ trainingJobName: this.jobName });
    await this.ctx.status.flush();
  }

  private describe(): Promise<DescribeTrainingJobResponse | undefined> {
    return orAbsent(
      this.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: this.jobName }), this.cancel),
    );
  }

  private absent(): Promise<ReconcileResult> | ReconcileResult {
    const status = this.ctx.status.current;
    if (status.trainingJobStatus) return this.deletedOutOfBand();
    // Created by us but not yet visible to describe: never create twice, look again shortly.
    if (status.trainingJobArn) return requeueAfter(this.options.polling.minMs);
    return this.create();
  }

  private async create(): Promise<ReconcileResult> {
    const tags = desiredTags(this.owner, this.obj.spec.tags);
    const created = await this.sagemaker.send(
      new CreateTrainingJobCommand(createTrainingJobRequest(this.obj.spec, this.jobName, tags)),
      this.cancel,
    );
    // The ARN marks the job as created with our tags, so the next reconcile need not list them.
    this.ctx.status.set({ trainingJobArn: created.TrainingJobArn });
    const message = `created training job ${this.jobName}`;
    this.ctx.events.normal('Creating', message, 'Create');
    this.ctx.status.setCondition('Ready', 'False', 'Creating', message);
    this.ctx.status.setCondition('Succeeded', 'Unknown', 'Creating', message);
    return requeueAfter(this.options.polling.minMs);
  }

  private deletedOutOfBand(): ReconcileResult {
    const message = `training job ${this.jobName} was deleted outside the operator; delete this TrainingJob and apply it again to train again`;
    this.ctx.events.warning('DeletedOutOfBand', message);
    this.ctx.status.setCondition('Ready', 'False', 'DeletedOutOfBand', message);
    // Re-running a training job nobody asked to re-run would cost money; a spec change is required.
    return awaitChange;
  }

  /**
   * Ownership is checked when a job we did not create is first seen, and whenever the spec (its tags)
   * changed.
   */
  private mustCheckTags(): boolean {
    const status = this.ctx.status.current;
    return !status.trainingJobArn || status.observedGeneration !== this.obj.metadata.generation;
  }

  private async claimAndTag(job: DescribeTrainingJobResponse): Promise<void> {
    const current = await this.tagsOf(job);
    if (ownershipOf(current, this.owner) === 'foreign') {
      if (!this.obj.spec.adoptExisting) {
        const message = `training job ${this.jobName} already exists and is not managed by this TrainingJob: set adoptExisting: true to take it over, or choose another trainingJobName`;
        this.ctx.status.setCondition('Ready', 'False', 'AlreadyExists', message);
        throw new ReconcileError('terminal', 'AlreadyExists', message);
      }
      this.ctx.events.normal('Adopted', `adopted existing training job ${this.jobName}`, 'Adopt');
    }
    const desired = desiredTags(this.owner, this.obj.spec.tags);
    await applyTags(this.sagemaker, job.TrainingJobArn ?? '', current, desired, this.cancel);
  }

  private tagsOf(job: DescribeTrainingJobResponse): Promise<Tag[]> {
    return listAllTags(this.sagemaker, job.TrainingJobArn ?? '', this.cancel);
  }

  private mirror(job: DescribeTrainingJobResponse): ReconcileResult {
    const before = this.ctx.status.current;
    if (stateChanged(before, job)) this.announce(job);
    this.ctx.status.set(observedTrainingJobStatus(job, this.region));
    const { ready, succeeded } = jobConditions(job);
    this.ctx.status.setCondition('Ready', ready.status, ready.reason, ready.message);
    this.ctx.status.setCondition('Succeeded', succeeded.status, succeeded.reason, succeeded.message);
    if (isFinished(job)) return requeueAfter(this.ctx.driftIntervalMs * FINISHED_JOB_DRIFT_FACTOR);
    return requeueAfter(nextPollMs(job, new Date(), this.options.polling));
  }

  private announce(job: DescribeTrainingJobResponse): void {
    const { ready } = jobConditions(job);
    if (job.TrainingJobStatus === 'Failed') this.ctx.events.warning('Failed', ready.message);
    else this.ctx.events.normal(ready.reason, ready.message);
  }
}

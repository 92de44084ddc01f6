import {
  CreateModelPackageCommand,
  DeleteModelPackageCommand,
  DescribeModelPackageCommand,
  UpdateModelPackageCommand,
  type CreateModelPackageInput as CreateRequest,
  type DescribeModelPackageOutput,
} from '@aws-sdk/client-sagemaker';
import { modelPackageGroupDescriptor } from '../../crds/model-package-group.js';
import { trainingJobDescriptor } from '../../crds/training-job.js';
import {
  modelPackage,
  modelPackageDescriptor,
  type ModelPackageObject,
  type ModelPackageSpec,
  type ModelPackageStatus,
} from '../../crds/model-package.js';
import { CreateModelPackageInput } from '../../crds/shapes/sagemaker.generated.js';
import { ownershipOf, ownershipTags, TAG_CLUSTER, TAG_MANAGED_BY, TAG_OWNER } from '../../aws/tags.js';
import {
  defineController,
  done,
  ReconcileError,
  requeueAfter,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import type { KindControllerOptions } from '../common/change-detection.js';
import type { GroupChanges } from '../common/group-changes.js';
import { ManagedResource } from '../common/managed-resource.js';
import { deletionPollMs, pollDelay, untilGone } from '../common/polling.js';
import { isoTime, toRequest } from '../common/sagemaker-shape.js';
import { approvalSweeps } from './sweeps.js';
import {
  approvalChange,
  approvalStep,
  modelFromTrainingJob,
  versionConditions,
  type Approval,
} from './states.js';
import { waitForReference } from '../common/conditions.js';

type Context = ReconcileContext<ModelPackageStatus>;

/** Model versions in the registry, with their approval, managed through the shared skeleton. */
export function modelPackageController(options: KindControllerOptions, groupChanges?: GroupChanges) {
  return defineController<ModelPackageObject, ModelPackageStatus>({
    kind: modelPackageDescriptor,
    reconcile: (ctx, obj) => new VersionReconcile(options, ctx, obj).apply(),
    finalize: (ctx, obj) => new VersionReconcile(options, ctx, obj).cleanUp(),
    references: [
      {
        kind: modelPackageGroupDescriptor,
        names: (obj) => (obj.spec.groupRef ? [obj.spec.groupRef.name] : []),
      },
      {
        kind: trainingJobDescriptor,
        names: (obj) => (obj.spec.trainingJobRef ? [obj.spec.trainingJobRef.name] : []),
      },
    ],
    changeSources: approvalSweeps<ModelPackageObject>(options, groupChanges),
  });
}

type Resolved<T> = { type: 'ready'; value: T } | { type: 'waiting' | 'invalid'; message: string };

class VersionReconcile {
  private readonly resource: ManagedResource<ModelPackageStatus>;

  constructor(
    private readonly options: KindControllerOptions,
    private readonly ctx: Context,
    private readonly obj: ModelPackageObject,
  ) {
    this.resource = new ManagedResource(ctx, obj, options, {
      kind: modelPackage.kind,
      nameField: 'modelPackageGroupName',
      arnField: 'modelPackageArn',
    });
  }

  private get status(): ModelPackageStatus {
    return this.ctx.status.current;
  }

  /** `<group>/<version>` once known, for messages. */
  private get label(): string {
    const { modelPackageGroupName: group, modelPackageVersion: version } = this.status;
    return `${group ?? '?'}/${version ?? '?'}`;
  }

  /** The version by its ARN, through the skeleton's account check. */
  private describe(arn: string): Promise<DescribeModelPackageOutput | undefined> {
    return this.resource.find({
      label: 'model version',
      name: arn,
      describe: () =>
        this.resource.sagemaker.send(
          new DescribeModelPackageCommand({ ModelPackageName: arn }),
          this.resource.cancel,
        ),
      arnOf: (version) => version.ModelPackageArn,
    });
  }

  async apply(): Promise<ReconcileResult> {
    const arn = this.status.modelPackageArn;
    if (arn === undefined) return this.register();
    const version = await this.describe(arn);
    if (!version) {
      if (this.resource.mayStillAppear(arn, this.status.modelPackageStatus))
        return requeueAfter(this.options.polling.minMs);
      return this.deletedOutOfBand();
    }
    await this.reconcileApproval(version);
    return this.mirror(version);
  }

  /**
   * Registers the version once what it depends on is ready and its gates are met (dependsOn, when),
   * its metrics' URIs resolved: the group's name in status first, one create call per object (its
   * uid is the client token).
   */
  private async register(): Promise<ReconcileResult> {
    const ready = await this.resource.prerequisites(this.obj.spec);
    if ('result' in ready) return ready.result;
    const { spec } = ready;
    const group = this.groupName(spec);
    const model = this.modelSource(spec);
    for (const resolved of [group, model]) {
      if (resolved.type !== 'ready') {
        waitForReference(this.ctx.status, resolved);
        return done;
      }
    }
    if (group.type !== 'ready' || model.type !== 'ready') return done;
    await this.resource.recordName(group.value);
    await this.resource.checkAccount();
    const request = this.createRequest(spec, group.value, model.value);
    const created = await this.resource.attemptCreate(() =>
      this.resource.sagemaker.send(new CreateModelPackageCommand(request), this.resource.cancel),
    );
    this.ctx.status.set({
      modelPackageArn: created.ModelPackageArn,
      modelPackageStatus: undefined,
      appliedApproval: { modelApprovalStatus: spec.modelApprovalStatus },
    });
    const message = `registering a version of model package group ${group.value}`;
    this.ctx.events.normal('Creating', message, 'Create');
    this.ctx.status.setCondition('Ready', 'False', 'Creating', message);
    return requeueAfter(this.options.polling.minMs);
  }

  private groupName(spec: ModelPackageSpec): Resolved<string> {
    const { groupRef, modelPackageGroupName } = spec;
    if (!groupRef) return { type: 'ready', value: modelPackageGroupName ?? '' };
    const group = this.ctx.cache.get(modelPackageGroupDescriptor, this.obj.metadata.namespace, groupRef.name);
    const name = group?.status?.modelPackageGroupName;
    if (group?.status?.modelPackageGroupStatus === 'Completed' && name !== undefined)
      return { type: 'ready', value: name };
    const state = group ? (group.status?.modelPackageGroupStatus ?? 'not created yet') : 'not found';
    return { type: 'waiting', message: `waiting for ModelPackageGroup ${groupRef.name} (${state})` };
  }

  /** The inference specification's containers: the spec's, or the referenced TrainingJob's model. */
  private modelSource(spec: ModelPackageSpec): Resolved<CreateRequest['InferenceSpecification']> {
    const inference = (toRequest(CreateModelPackageInput, spec) as CreateRequest).InferenceSpecification;
    if (!spec.trainingJobRef) return { type: 'ready', value: inference };
    const name = spec.trainingJobRef.name;
    const source = modelFromTrainingJob(
      name,
      this.ctx.cache.get(trainingJobDescriptor, this.obj.metadata.namespace, name),
    );
    if (source.type !== 'ready') return source;
    return {
      type: 'ready',
      value: { ...inference, Containers: [{ Image: source.image, ModelDataUrl: source.modelDataUrl }] },
    };
  }

  private createRequest(
    spec: ModelPackageSpec,
    group: string,
    inference: CreateRequest['InferenceSpecification'],
  ): CreateRequest {
    const request = toRequest(CreateModelPackageInput, spec) as CreateRequest;
    const ownership = Object.fromEntries(ownershipTags(this.resource.owner).map((t) => [t.Key, t.Value]));
    return {
      ...request,
      ModelPackageGroupName: group,
      InferenceSpecification: inference,
      // A version cannot carry tags: its ownership is kept where it can be, in its metadata.
      CustomerMetadataProperties: { ...request.CustomerMetadataProperties, ...ownership },
      ClientToken: this.obj.metadata.uid,
    };
  }

  /**
   * A version is a record: one deleted in the registry is not registered again (that would be
   * another version number under the same object). Ready=False until the object is deleted.
   */
  private deletedOutOfBand(): ReconcileResult {
    const message = `model version ${this.label} was deleted outside the operator; delete this ModelPackage, or create a new one to register the model again`;
    const ready = this.status.conditions?.find((c) => c.type === 'Ready');
    if (ready?.reason !== 'DeletedOutOfBand') this.ctx.events.warning('DeletedOutOfBand', message);
    this.ctx.status.setCondition('Ready', 'False', 'DeletedOutOfBand', message);
    return done;
  }

  private async reconcileApproval(version: DescribeModelPackageOutput): Promise<void> {
    const desired: Approval = {
      modelApprovalStatus: this.obj.spec.modelApprovalStatus,
      approvalDescription: this.obj.spec.approvalDescription,
    };
    const observed: Approval = {
      modelApprovalStatus: version.ModelApprovalStatus,
      approvalDescription: version.ApprovalDescription,
    };
    const step = approvalStep(desired, this.status.appliedApproval, observed);
    const before = this.status.modelApprovalStatus;
    if (step === 'update') {
      await this.resource.sagemaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: version.ModelPackageArn,
          ModelApprovalStatus: desired.modelApprovalStatus as CreateRequest['ModelApprovalStatus'],
          ApprovalDescription: desired.approvalDescription,
        }),
        this.resource.cancel,
      );
      version.ModelApprovalStatus = desired.modelApprovalStatus as CreateRequest['ModelApprovalStatus'];
      version.ApprovalDescription = desired.approvalDescription ?? version.ApprovalDescription;
    }
    if (step !== 'none') this.ctx.status.set({ appliedApproval: desired });
    const changed = approvalChange(
      `${version.ModelPackageGroupName ?? '?'}/${version.ModelPackageVersion ?? '?'}`,
      before,
      version.ModelApprovalStatus,
      step === 'update',
    );
    if (changed) this.ctx.events.normal('ApprovalChanged', changed, step === 'update' ? 'Update' : undefined);
  }

  private mirror(version: DescribeModelPackageOutput): ReconcileResult {
    const seenBefore = this.status.modelPackageStatus;
    this.ctx.status.set({
      modelPackageGroupName: version.ModelPackageGroupName,
      modelPackageVersion: version.ModelPackageVersion,
      modelPackageStatus: version.ModelPackageStatus,
      modelApprovalStatus: version.ModelApprovalStatus,
      approvalDescription: version.ApprovalDescription,
      creationTime: isoTime(version.CreationTime),
      lastModifiedTime: isoTime(version.LastModifiedTime),
    });
    const label = `${version.ModelPackageGroupName ?? '?'}/${version.ModelPackageVersion ?? '?'}`;
    const ready = versionConditions(label, version.ModelPackageStatus);
    this.ctx.status.setCondition('Ready', ready.status, ready.reason, ready.message);
    if (ready.reason === 'Registered') {
      if (seenBefore !== 'Completed') this.ctx.events.normal('Registered', ready.message);
      return done;
    }
    if (ready.reason === 'CreateFailed') throw new ReconcileError('terminal', 'CreateFailed', ready.message);
    const age = Date.now() - (version.CreationTime?.getTime() ?? Date.now());
    return requeueAfter(pollDelay(age, untilGone(this.options.polling)));
  }

  /**
   * Deletes the version when its metadata says it is this object's. A version whose create answer
   * was lost before any status write cannot be found by name (versions have none) and is left.
   */
  async cleanUp(): Promise<ReconcileResult> {
    const arn = this.status.modelPackageArn;
    if (arn === undefined) return done;
    const version = await this.describe(arn);
    if (!version) {
      if (this.resource.mayStillAppear(arn, this.status.modelPackageStatus))
        return requeueAfter(this.options.polling.minMs);
      return done;
    }
    const markers = Object.entries(version.CustomerMetadataProperties ?? {}).map(([Key, Value]) => ({
      Key,
      Value,
    }));
    if (ownershipOf(markers, this.resource.owner) === 'foreign') {
      this.ctx.events.warning(
        'OwnershipLost',
        `model version ${this.label} is kept in the registry: its metadata no longer says it is this ModelPackage's (${TAG_MANAGED_BY}, ${TAG_CLUSTER} or ${TAG_OWNER} was removed or changed outside the operator)`,
      );
      return done;
    }
    const later = requeueAfter(deletionPollMs(this.obj.metadata.deletionTimestamp, this.options.polling));
    this.ctx.status.set({ modelPackageStatus: version.ModelPackageStatus });
    if (version.ModelPackageStatus === 'Deleting') return later;
    await this.resource.sagemaker.send(
      new DeleteModelPackageCommand({ ModelPackageName: arn }),
      this.resource.cancel,
    );
    const message = `deleting model version ${this.label}`;
    this.ctx.events.normal('Deleting', message, 'Delete');
    this.ctx.status.setCondition('Ready', 'False', 'Deleting', message);
    return later;
  }
}

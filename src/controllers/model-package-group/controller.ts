import {
  CreateModelPackageGroupCommand,
  DeleteModelPackageGroupCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  type DescribeModelPackageGroupOutput,
} from '@aws-sdk/client-sagemaker';
import {
  modelPackageGroup,
  modelPackageGroupDescriptor,
  type ModelPackageGroupObject,
  type ModelPackageGroupSpec,
  type ModelPackageGroupStatus,
} from '../../crds/model-package-group.js';
import { CreateModelPackageGroupInput } from '../../crds/shapes/sagemaker.generated.js';
import {
  defineController,
  done,
  ReconcileError,
  requeueAfter,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import type { KindControllerOptions } from '../common/change-detection.js';
import { ManagedResource, type ResourceRef } from '../common/managed-resource.js';
import { deletionPollMs, pollDelay, untilGone } from '../common/polling.js';
import { isoTime, toRequest } from '../common/sagemaker-shape.js';
import { groupConditions, holdsVersionsCondition } from './states.js';

type Context = ReconcileContext<ModelPackageGroupStatus>;

/**
 * Model package groups, named, owned and deleted as every kind's resources are. No change source:
 * ListModelPackageGroups has no LastModifiedTime filter and its summaries no LastModifiedTime, so a
 * sweep cannot tell which group changed; a group has nothing to change but its tags, and each is described at the drift interval.
 */
export function modelPackageGroupController(options: KindControllerOptions) {
  return defineController<ModelPackageGroupObject, ModelPackageGroupStatus>({
    kind: modelPackageGroupDescriptor,
    reconcile: (ctx, obj) => new GroupReconcile(options, ctx, obj).apply(),
    finalize: (ctx, obj) => new GroupReconcile(options, ctx, obj).cleanUp(),
  });
}

class GroupReconcile {
  private readonly resource: ManagedResource<ModelPackageGroupStatus>;
  private readonly group: ResourceRef<DescribeModelPackageGroupOutput>;

  constructor(
    private readonly options: KindControllerOptions,
    private readonly ctx: Context,
    private readonly obj: ModelPackageGroupObject,
  ) {
    this.resource = new ManagedResource(ctx, obj, options, {
      kind: modelPackageGroup.kind,
      nameField: 'modelPackageGroupName',
      arnField: 'modelPackageGroupArn',
    });
    this.group = {
      label: 'model package group',
      name: this.resource.name,
      describe: () =>
        this.resource.sagemaker.send(
          new DescribeModelPackageGroupCommand({ ModelPackageGroupName: this.resource.name }),
          this.resource.cancel,
        ),
      arnOf: (d) => d.ModelPackageGroupArn,
    };
  }

  private createdButNotSeen(): boolean {
    const status = this.ctx.status.current;
    return this.resource.mayStillAppear(status.modelPackageGroupArn, status.modelPackageGroupStatus);
  }

  async apply(): Promise<ReconcileResult> {
    await this.resource.recordName();
    let group = await this.resource.find(this.group);
    if (!group && this.createdButNotSeen()) return requeueAfter(this.options.polling.minMs);
    if (!group) {
      const spec = await this.resource.prerequisites(this.obj.spec);
      if ('result' in spec) return spec.result;
      const creation = await this.resource.attemptCreate(() => this.create(spec.spec));
      if (creation === undefined) return requeueAfter(this.options.polling.minMs);
      group = creation;
    }
    if (this.resource.mustClaim(this.ctx.status.current.modelPackageGroupArn))
      await this.resource.claim(this.group, group);
    const before = this.ctx.status.current.modelPackageGroupStatus;
    this.ctx.status.set({
      modelPackageGroupArn: group.ModelPackageGroupArn,
      modelPackageGroupStatus: group.ModelPackageGroupStatus,
      creationTime: isoTime(group.CreationTime),
    });
    const ready = groupConditions(this.resource.name, group.ModelPackageGroupStatus);
    this.ctx.status.setCondition('Ready', ready.status, ready.reason, ready.message);
    if (ready.reason === 'Registered') {
      if (before !== 'Completed') this.ctx.events.normal('Registered', ready.message);
      await this.resource.correctTags(group.ModelPackageGroupArn ?? '');
      return done;
    }
    if (ready.reason === 'CreateFailed') throw new ReconcileError('terminal', 'CreateFailed', ready.message);
    const age = Date.now() - (group.CreationTime?.getTime() ?? Date.now());
    return requeueAfter(pollDelay(age, untilGone(this.options.polling)));
  }

  /** The group, created when absent (again, when it was deleted outside the operator); undefined while not visible. */
  private async create(spec: ModelPackageGroupSpec): Promise<DescribeModelPackageGroupOutput | undefined> {
    const again = this.ctx.status.current.modelPackageGroupStatus !== undefined;
    const request = {
      ...(toRequest(CreateModelPackageGroupInput, spec) as object),
      ModelPackageGroupName: this.resource.name,
      Tags: this.resource.tags,
    };
    const creation = await this.resource.create(this.group, () =>
      this.resource.sagemaker.send(new CreateModelPackageGroupCommand(request), this.resource.cancel),
    );
    if (creation.type === 'found') return creation.description;
    if (creation.type === 'created') {
      this.ctx.status.set({
        modelPackageGroupArn: creation.answer.ModelPackageGroupArn,
        modelPackageGroupStatus: undefined,
      });
      const message = again
        ? `model package group ${this.resource.name} was deleted outside the operator: creating it again`
        : `creating model package group ${this.resource.name}`;
      this.ctx.events.normal('Creating', message, 'Create');
      this.ctx.status.setCondition('Ready', 'False', 'Creating', message);
    }
    return undefined;
  }

  /**
   * Deletes the group once it is empty (SageMaker refuses to delete a group that holds versions):
   * the ModelPackages registered into it under deletionPolicy Delete go first; versions that nothing
   * deletes keep the group, and the object waits, saying so, until they are gone or the policy is Retain.
   */
  async cleanUp(): Promise<ReconcileResult> {
    if (!this.resource.nameRecorded) return done;
    const group = await this.resource.find(this.group);
    if (!group && this.createdButNotSeen()) return requeueAfter(this.options.polling.minMs);
    if (!group) return done;
    if (!(await this.resource.owns(group.ModelPackageGroupArn ?? ''))) {
      this.ctx.log.info({ group: this.resource.name }, 'not ours: leaving the model package group alone');
      return done;
    }
    const later = requeueAfter(deletionPollMs(this.obj.metadata.deletionTimestamp, this.options.polling));
    this.ctx.status.set({ modelPackageGroupStatus: group.ModelPackageGroupStatus });
    if (group.ModelPackageGroupStatus === 'Deleting') return later;
    const versions = await this.resource.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: this.resource.name, MaxResults: 100 }),
      this.resource.cancel,
    );
    const held = versions.ModelPackageSummaryList?.length ?? 0;
    if (held > 0) {
      const waiting = holdsVersionsCondition(this.resource.name, held, versions.NextToken !== undefined);
      if (this.ctx.status.current.conditions?.find((c) => c.type === 'Ready')?.message !== waiting.message)
        this.ctx.events.normal('Deleting', waiting.message, 'Delete');
      this.ctx.status.setCondition('Ready', waiting.status, waiting.reason, waiting.message);
      return later;
    }
    await this.resource.sagemaker.send(
      new DeleteModelPackageGroupCommand({ ModelPackageGroupName: this.resource.name }),
      this.resource.cancel,
    );
    const message = `deleting model package group ${this.resource.name}`;
    this.ctx.events.normal('Deleting', message, 'Delete');
    this.ctx.status.setCondition('Ready', 'False', 'Deleting', message);
    return later;
  }
}

import {
  CreateEndpointCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  ListEndpointsCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type DescribeEndpointOutput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { modelPackageDescriptor, type ModelPackageObject } from '../../crds/model-package.js';
import { modelPackageGroupDescriptor } from '../../crds/model-package-group.js';
import { trainingJobDescriptor } from '../../crds/training-job.js';
import {
  endpoint as endpointKind,
  endpointDescriptor,
  type EndpointObject,
  type EndpointSpec,
  type EndpointStatus,
} from '../../crds/endpoint.js';
import {
  awaitChange,
  defineController,
  done,
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
import { untilGone } from '../common/polling.js';
import { ApprovedVersions } from './approved-versions.js';
import type { GroupChanges } from '../common/group-changes.js';
import { DerivedResources } from './derived-resources.js';
import { modelPackageVersions } from './model-packages.js';
import { followsVersion, referencedGroups, referencedModelPackages } from './registry.js';
import {
  deletingCondition,
  isBusy,
  nextPollMs,
  nextStep,
  observeApplied,
  readyCondition,
  transitionEvent,
  type EndpointStep,
} from './lifecycle.js';
import { observedEndpointStatus } from './observed-status.js';
import {
  createEndpointRequest,
  endpointPlan,
  referencedTrainingJobs,
  versionsNote,
  resolveReferences,
  type EndpointPlan,
} from './plan.js';
import {
  appliedPlan,
  capacitiesAfterUpdate,
  dataCaptureChanges,
  retainsVariantProperties,
  updateEndpointRequest,
  weightsAndCapacitiesRequest,
  type LastApplied,
} from './update.js';
import { waitForReference } from '../common/conditions.js';

/** Endpoints for change detection: ListEndpoints reports every state change's time. */
const endpointListing: ChangeListing = {
  kind: endpointKind.kind,
  nameField: 'endpointName',
  listModifiedAfter: async (sagemaker, after, nextToken, cancel) => {
    const page = await sagemaker.send(new ListEndpointsCommand(modifiedAfter(after, nextToken)), cancel);
    return listedPage(page.Endpoints, (endpoint) => endpoint.EndpointName, page.NextToken);
  },
};

type Context = ReconcileContext<EndpointStatus>;

/** Reconciles Endpoint objects with SageMaker Models, an EndpointConfig and an endpoint. */
export function endpointController(options: KindControllerOptions, groupChanges?: GroupChanges) {
  const detection = options.changeDetection;
  // Without sweeps, every reconcile lists the groups it follows: each endpoint is looked at on its own.
  const approved = new ApprovedVersions<EndpointObject>(detection?.settings.driftIntervalMs ?? 0, (scope) =>
    options.aws.sagemaker(scope),
  );
  groupChanges?.on((group, region) => {
    approved.due(region, group);
  });
  return defineController<EndpointObject, EndpointStatus>({
    kind: endpointDescriptor,
    reconcile: (ctx, obj) => new EndpointReconcile(options, approved, ctx, obj).apply(),
    finalize: (ctx, obj) => new EndpointReconcile(options, approved, ctx, obj).cleanUp(),
    references: [
      { kind: trainingJobDescriptor, names: (obj) => referencedTrainingJobs(obj.spec) },
      {
        kind: modelPackageDescriptor,
        names: (obj) => referencedModelPackages(obj.spec),
        selects: (obj, version) => followsVersion(obj.spec, version as ModelPackageObject),
      },
      { kind: modelPackageGroupDescriptor, names: (obj) => referencedGroups(obj.spec) },
    ],
    changeSources: [
      ...changeSourcesOf<EndpointObject>(options, endpointListing),
      ...(detection ? [approved] : []),
    ],
  });
}

class EndpointReconcile {
  private readonly resource: ManagedResource<EndpointStatus>;
  private readonly endpoint: ResourceRef<DescribeEndpointOutput>;
  /** The Models and EndpointConfigs this object creates for its endpoint. */
  private readonly derived: DerivedResources;

  constructor(
    private readonly options: KindControllerOptions,
    private readonly approved: ApprovedVersions<EndpointObject>,
    private readonly ctx: Context,
    private readonly obj: EndpointObject,
  ) {
    this.resource = new ManagedResource(ctx, obj, options, { ...endpointListing, arnField: 'endpointArn' });
    this.endpoint = {
      label: 'endpoint',
      name: this.resource.name,
      describe: () =>
        this.sagemaker.send(new DescribeEndpointCommand({ EndpointName: this.endpointName }), this.cancel),
      arnOf: (d) => d.EndpointArn,
    };
    this.derived = new DerivedResources(this.resource, ctx.status);
  }

  /** Our CreateEndpoint answered, but no describe has shown the endpoint yet. */
  private createdButNotSeen(): boolean {
    const status = this.ctx.status.current;
    return this.resource.mayStillAppear(status.endpointArn, status.endpointStatus);
  }

  private get endpointName(): string {
    return this.resource.name;
  }

  private get generation(): number {
    return this.resource.generation;
  }

  async apply(): Promise<ReconcileResult> {
    await this.resource.recordName();
    const spec = await this.resource.prerequisites(this.obj.spec);
    if ('result' in spec) return spec.result;
    const plan = await this.plan(spec.spec);
    if (!plan) return awaitChange;
    let endpoint = await this.resource.find(this.endpoint);
    // Never create twice: an endpoint our create answered for is on its way.
    if (!endpoint && this.createdButNotSeen()) return requeueAfter(this.options.polling.minMs);
    if (!endpoint) {
      // Nothing serves yet: Ready says why (InvalidSpec, AccessDenied, QuotaExceeded).
      const creation = await this.resource.attemptCreate(() => this.create(plan, spec.spec));
      if (creation.type !== 'found') return creation.result;
      endpoint = creation.description;
    }
    if (this.resource.mustClaim(this.ctx.status.current.endpointArn))
      await this.claimExisting(endpoint, plan);
    const recorded = this.ctx.status.current.lastApplied;
    const applied = observeApplied(recorded, endpoint);
    if (applied !== recorded) this.ctx.status.set({ lastApplied: applied });
    const step = nextStep(endpoint, plan, applied, this.generation);
    this.mirror(endpoint, plan, step);
    switch (step.type) {
      case 'wait':
      case 'maintenance': {
        // One being deleted (to be created again) leaves no trace in a List when it is gone.
        const { polling } = this.options;
        const deleting = endpoint.EndpointStatus === 'Deleting';
        return requeueAfter(nextPollMs(endpoint, new Date(), deleting ? untilGone(polling) : polling));
      }
      case 'failed':
        throw new ReconcileError('terminal', 'CreateFailed', step.reason);
      case 'updateFailed':
        throw new ReconcileError('terminal', 'UpdateFailed', step.reason);
      case 'recreate':
        return this.deleteForRecreate();
      case 'updateEndpoint':
        return this.updateEndpoint(endpoint, plan, applied);
      case 'updateWeightsAndCapacities':
        return this.updateWeightsAndCapacities(plan, applied);
      case 'inSync':
        this.recordAdopted(plan, applied);
        // What serves now: the versions of the planned config.
        this.ctx.status.set({
          modelPackages: plan.modelPackages.length > 0 ? plan.modelPackages : undefined,
        });
        await this.resource.correctTags(endpoint.EndpointArn ?? '');
        await this.derived.deleteRetired(endpoint, plan);
        return done;
    }
  }

  /**
   * The endpoint first, if it is ours; then the configs and models this object created, which carry
   * its tags even when the endpoint under its name turned out to be someone else's.
   */
  async cleanUp(): Promise<ReconcileResult> {
    if (!this.resource.nameRecorded) return done;
    const endpoint = await this.resource.find(this.endpoint);
    if (!endpoint && this.createdButNotSeen()) return requeueAfter(this.options.polling.minMs);
    if (endpoint && (await this.resource.owns(endpoint.EndpointArn ?? '')))
      return this.deleteEndpoint(endpoint);
    if (endpoint) this.ctx.log.info({ endpoint: this.endpointName }, 'not ours: leaving the endpoint alone');
    await this.derived.deleteAll();
    return done;
  }

  /**
   * The plan, or undefined while a referenced TrainingJob has not produced its artifacts or a
   * registry source has no version to serve yet.
   */
  private async plan(spec: EndpointSpec): Promise<EndpointPlan | undefined> {
    const { namespace } = this.obj.metadata;
    const resolution = resolveReferences(
      spec,
      (name) => this.ctx.cache.get(trainingJobDescriptor, namespace, name)?.status,
    );
    if (resolution.type !== 'ready') {
      waitForReference(this.ctx.status, resolution);
      return undefined;
    }
    const packages = await modelPackageVersions(this.obj, spec, this.ctx.cache, this.approved, this.resource);
    if (packages.type !== 'ready') {
      waitForReference(this.ctx.status, packages);
      return undefined;
    }
    return endpointPlan(spec, this.endpointName, resolution.artifacts, this.resource.tags, packages.value);
  }

  private get sagemaker(): SageMakerClient {
    return this.resource.sagemaker;
  }

  private get cancel(): { abortSignal: AbortSignal } {
    return this.resource.cancel;
  }

  /** After a spec change, the endpoint and the planned Models and config that exist are claimed. */
  private async claimExisting(endpoint: DescribeEndpointOutput, plan: EndpointPlan): Promise<void> {
    await this.resource.claim(this.endpoint, endpoint);
    await this.derived.claim(plan);
  }

  /**
   * Also the answer to an endpoint deleted outside the operator: hosting is what the user asked for.
   * An endpoint of ours already under the name (a create whose answer was lost) is carried on with.
   */
  private async create(
    plan: EndpointPlan,
    spec: EndpointSpec,
  ): Promise<
    { type: 'found'; description: DescribeEndpointOutput } | { type: 'done'; result: ReconcileResult }
  > {
    const soon = { type: 'done' as const, result: requeueAfter(this.options.polling.minMs) };
    if (!(await this.derived.ensure(plan))) return soon;
    const configName = plan.endpointConfig.EndpointConfigName ?? '';
    const creation = await this.resource.create(this.endpoint, () =>
      this.sagemaker.send(
        new CreateEndpointCommand(
          createEndpointRequest(spec, this.endpointName, configName, this.resource.tags),
        ),
        this.cancel,
      ),
    );
    if (creation.type === 'found') return creation;
    if (creation.type === 'notVisible') return soon;
    this.ctx.status.set({
      endpointArn: creation.answer.EndpointArn,
      // Only describes report the state: until one has, the endpoint may not be visible yet.
      endpointStatus: undefined,
      lastApplied: appliedPlan(plan, this.generation, false),
    });
    const message = `creating endpoint ${this.endpointName} with ${configName}`;
    this.ctx.events.normal('Creating', message, 'Create');
    this.ctx.status.setCondition('Ready', 'False', 'Creating', message);
    return soon;
  }

  /** A failed create is replaced for a new generation: SageMaker allows nothing but DeleteEndpoint. */
  private async deleteForRecreate(): Promise<ReconcileResult> {
    await this.sagemaker.send(new DeleteEndpointCommand({ EndpointName: this.endpointName }), this.cancel);
    this.ctx.events.normal('Recreating', `deleting failed endpoint ${this.endpointName} to create it again`);
    return requeueAfter(this.options.polling.minMs);
  }

  private async updateEndpoint(
    endpoint: DescribeEndpointOutput,
    plan: EndpointPlan,
    applied: LastApplied | undefined,
  ): Promise<ReconcileResult> {
    if (!(await this.derived.ensure(plan))) return requeueAfter(this.options.polling.minMs);
    const configName = plan.endpointConfig.EndpointConfigName ?? '';
    const captureChanging = dataCaptureChanges(
      endpoint.DataCaptureConfig,
      plan.endpointConfig.DataCaptureConfig,
    );
    const retain = retainsVariantProperties(this.obj.spec, captureChanging);
    await this.sagemaker.send(
      new UpdateEndpointCommand(updateEndpointRequest(this.obj.spec, this.endpointName, configName, retain)),
      this.cancel,
    );
    this.ctx.status.set({
      lastApplied: {
        endpointConfigName: configName,
        generation: this.generation,
        capacities: capacitiesAfterUpdate(this.obj.spec, plan.capacities, applied?.capacities ?? [], retain),
        endpointModifiedTime: endpoint.LastModifiedTime?.toISOString(),
        seenInProgress: false,
        seenSettled: false,
      },
    });
    const message = `updating endpoint ${this.endpointName} to ${configName}${versionsNote(plan)}`;
    if (captureChanging && retainsVariantProperties(this.obj.spec, false)) {
      const why =
        `${message} without retaining variant properties: its data capture changes, and SageMaker ` +
        "keeps the old DataCaptureConfig when they are retained; instance counts and weights become the spec's";
      this.ctx.log.info({ endpoint: this.endpointName, endpointConfig: configName }, why);
      this.ctx.events.normal('Updating', why, 'Update');
    } else this.ctx.events.normal('Updating', message, 'Update');
    this.ctx.status.setCondition('Ready', 'False', 'Updating', message);
    return requeueAfter(this.options.polling.minMs);
  }

  private async updateWeightsAndCapacities(
    plan: EndpointPlan,
    applied: LastApplied | undefined,
  ): Promise<ReconcileResult> {
    const request = weightsAndCapacitiesRequest(
      this.endpointName,
      plan.capacities,
      applied?.capacities ?? [],
    );
    await this.sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand(request), this.cancel);
    // Only ever asked of an endpoint InService on this config.
    this.ctx.status.set({ lastApplied: appliedPlan(plan, this.generation, true) });
    const message = `updating weights and instance counts of endpoint ${this.endpointName}`;
    this.ctx.events.normal('Updating', message, 'Update');
    this.ctx.status.setCondition('Ready', 'False', 'Updating', message);
    return requeueAfter(this.options.polling.minMs);
  }

  private mirror(endpoint: DescribeEndpointOutput, plan: EndpointPlan, step: EndpointStep): void {
    const ready = readyCondition(endpoint, plan, step);
    const event = transitionEvent(this.ctx.status.current.endpointStatus, endpoint, step);
    if (event) this.ctx.events.normal(event.reason, ready.message);
    this.ctx.status.set({
      ...observedEndpointStatus(endpoint, this.resource.region),
      modelNames: plan.models.map((m) => m.ModelName ?? ''),
    });
    this.ctx.status.setCondition('Ready', ready.status, ready.reason, ready.message);
  }

  /**
   * An endpoint found on the planned config without a record of what was applied to it (adopted, a
   * crash right after CreateEndpoint, or a failed update reverted by the spec): what it serves now
   * becomes the base for later weight and capacity changes.
   */
  private recordAdopted(plan: EndpointPlan, applied: LastApplied | undefined): void {
    if (applied?.endpointConfigName === (plan.endpointConfig.EndpointConfigName ?? '')) return;
    this.ctx.status.set({ lastApplied: appliedPlan(plan, this.generation, true) });
  }

  /** DeleteEndpoint once SageMaker accepts it, then wait until the endpoint is gone. */
  private async deleteEndpoint(endpoint: DescribeEndpointOutput): Promise<ReconcileResult> {
    const deleting = deletingCondition(endpoint);
    this.ctx.status.set({ endpointStatus: endpoint.EndpointStatus });
    this.ctx.status.setCondition('Ready', deleting.status, deleting.reason, deleting.message);
    if (isBusy(endpoint))
      return requeueAfter(nextPollMs(endpoint, new Date(), untilGone(this.options.polling)));
    await this.sagemaker.send(new DeleteEndpointCommand({ EndpointName: this.endpointName }), this.cancel);
    this.ctx.events.normal('Deleting', deleting.message, 'Delete');
    return requeueAfter(this.options.polling.minMs);
  }
}

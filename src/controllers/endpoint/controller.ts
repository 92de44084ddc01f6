import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type DescribeEndpointOutput,
  type SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import type { AwsClients } from '../../aws/clients.js';
import { sagemakerName } from '../../aws/naming.js';
import { ownershipOf, type Owner } from '../../aws/tags.js';
import { endpoint as endpointKind, type EndpointSpec, type EndpointStatus } from '../../crds/endpoint.js';
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
import type { TrainingJobObject } from '../training-job/controller.js';
import { trainingJob } from '../../crds/training-job.js';
import {
  isBusy,
  nextPollMs,
  nextStep,
  readyCondition,
  retiredResources,
  transitionEvent,
  type EndpointStep,
} from './lifecycle.js';
import { observedEndpointStatus } from './observed-status.js';
import {
  endpointPlan,
  including,
  referencedTrainingJobs,
  resolveReferences,
  type EndpointPlan,
} from './plan.js';
import {
  capacitiesAfterUpdate,
  updateEndpointRequest,
  weightsAndCapacitiesRequest,
  type LastApplied,
} from './update.js';

export interface EndpointObject extends KubeObject {
  metadata: ObjectMeta & { name: string; namespace: string; uid: string; generation?: number };
  spec: EndpointSpec;
  status?: EndpointStatus;
}

export interface EndpointControllerOptions {
  readonly aws: AwsClients;
  /** The operator's --region, for objects that name none. */
  readonly defaultRegion: string;
  readonly clusterName: string;
  readonly polling: PollingSettings;
}

type Context = ReconcileContext<EndpointStatus>;

const trainingJobKind = descriptorOf<TrainingJobObject>(trainingJob);

/** Reconciles Endpoint objects with SageMaker Models, an EndpointConfig and an endpoint (DESIGN.md §4-6). */
export function endpointController(options: EndpointControllerOptions) {
  return defineController<EndpointObject, EndpointStatus>({
    kind: descriptorOf<EndpointObject>(endpointKind),
    reconcile: (ctx, obj) => new EndpointReconcile(options, ctx, obj).apply(),
    finalize: (ctx, obj) => new EndpointReconcile(options, ctx, obj).cleanUp(),
    references: [{ kind: trainingJobKind, names: (obj) => referencedTrainingJobs(obj.spec) }],
  });
}

class EndpointReconcile {
  private readonly sagemaker: SageMakerClient;
  private readonly region: string;
  private readonly endpointName: string;
  private readonly owner: Owner;
  private readonly tags: Tag[];
  /** Every SageMaker call is abandoned when this replica must stop acting (cancel-safe reconcile). */
  private readonly cancel: { abortSignal: AbortSignal };

  constructor(
    private readonly options: EndpointControllerOptions,
    private readonly ctx: Context,
    private readonly obj: EndpointObject,
  ) {
    const { namespace, name, uid } = obj.metadata;
    this.region = obj.spec.region ?? options.defaultRegion;
    this.sagemaker = options.aws.sagemaker(this.region);
    this.endpointName = obj.status?.endpointName ?? obj.spec.endpointName ?? sagemakerName(namespace, name);
    this.owner = { kind: endpointKind.kind, namespace, name, uid, clusterName: options.clusterName };
    this.tags = desiredTags(this.owner, obj.spec.tags);
    this.cancel = { abortSignal: ctx.signal };
  }

  private get generation(): number {
    return this.obj.metadata.generation ?? 0;
  }

  async apply(): Promise<ReconcileResult> {
    await this.recordName();
    const plan = this.plan();
    if (!plan) return awaitChange;
    const endpoint = await this.describeEndpoint();
    if (!endpoint) return this.create(plan);
    const tagsChecked = this.mustCheckTags();
    if (tagsChecked) await this.claimExisting(endpoint, plan);
    const applied = this.ctx.status.current.lastApplied;
    const step = nextStep(endpoint, plan, applied, this.generation);
    this.mirror(endpoint, plan, step);
    switch (step.type) {
      case 'wait':
        return requeueAfter(nextPollMs(endpoint, new Date(), this.options.polling));
      case 'failed':
        throw new ReconcileError('terminal', 'CreateFailed', step.reason);
      case 'updateFailed':
        throw new ReconcileError('terminal', 'UpdateFailed', step.reason);
      case 'recreate':
        return this.deleteForRecreate();
      case 'updateEndpoint':
        return this.updateEndpoint(plan, applied);
      case 'updateWeightsAndCapacities':
        return this.updateWeightsAndCapacities(plan, applied);
      case 'inSync':
        this.recordAdopted(plan, applied);
        if (!tagsChecked) await this.correctTags(endpoint);
        await this.deleteRetired(endpoint, plan);
        return done;
    }
  }

  async cleanUp(): Promise<ReconcileResult> {
    if (!this.obj.status?.endpointName) return done;
    const endpoint = await this.describeEndpoint();
    if (endpoint) return this.deleteEndpoint(endpoint);
    const status = this.ctx.status.current;
    await this.deleteOwned(status.createdEndpointConfigNames ?? [], status.createdModelNames ?? []);
    return done;
  }

  /** The name goes to status before any create, so a crash after the create finds the endpoint again. */
  private async recordName(): Promise<void> {
    if (this.ctx.status.current.endpointName === this.endpointName) return;
    this.ctx.status.set({ endpointName: this.endpointName });
    await this.ctx.status.flush();
  }

  /** The plan, or undefined while a referenced TrainingJob has not produced its artifacts. */
  private plan(): EndpointPlan | undefined {
    const { namespace } = this.obj.metadata;
    const resolution = resolveReferences(
      this.obj.spec,
      (name) => this.ctx.cache.get(trainingJobKind, namespace, name)?.status,
    );
    if (resolution.type === 'invalid') {
      this.ctx.status.setCondition('Ready', 'False', 'InvalidSpec', resolution.message);
      throw new ReconcileError('terminal', 'InvalidSpec', resolution.message);
    }
    if (resolution.type === 'waiting') {
      // The TrainingJob's own changes trigger this Endpoint (references), so no polling.
      this.ctx.status.setCondition('Ready', 'False', 'WaitingForReference', resolution.message);
      return undefined;
    }
    return endpointPlan(this.obj.spec, this.endpointName, resolution.artifacts, this.tags);
  }

  private describeEndpoint(): Promise<DescribeEndpointOutput | undefined> {
    return orAbsent(
      this.sagemaker.send(new DescribeEndpointCommand({ EndpointName: this.endpointName }), this.cancel),
    );
  }

  /** Ownership is checked when the endpoint is first seen and whenever the spec (its tags) changed. */
  private mustCheckTags(): boolean {
    const status = this.ctx.status.current;
    return !status.endpointArn || status.observedGeneration !== this.generation;
  }

  /** Takes a resource over if it is ours or the user asked for adoption, and corrects its tags. */
  private async claim(what: string, arn: string): Promise<void> {
    const current = await listAllTags(this.sagemaker, arn, this.cancel);
    if (ownershipOf(current, this.owner) === 'foreign') {
      if (!this.obj.spec.adoptExisting) {
        const message = `${what} ${arn} already exists and is not managed by this Endpoint: set adoptExisting: true to take it over, or choose another endpointName`;
        this.ctx.status.setCondition('Ready', 'False', 'AlreadyExists', message);
        throw new ReconcileError('terminal', 'AlreadyExists', message);
      }
      this.ctx.events.normal('Adopted', `adopted existing ${what} ${arn}`, 'Adopt');
    }
    await applyTags(this.sagemaker, arn, current, this.tags, this.cancel);
  }

  /**
   * The plan's Models and EndpointConfig, each described by name before it is created. Their names
   * are recorded in status first, so that a crash after a create still deletes them in the end.
   */
  private async ensureResources(plan: EndpointPlan): Promise<void> {
    const status = this.ctx.status.current;
    const modelNames = plan.models.map((m) => m.ModelName ?? '');
    const configName = plan.endpointConfig.EndpointConfigName ?? '';
    const created = {
      createdModelNames: including(status.createdModelNames, modelNames),
      createdEndpointConfigNames: including(status.createdEndpointConfigNames, [configName]),
    };
    this.ctx.status.set({ ...created, modelNames });
    await this.ctx.status.flush();
    for (const model of plan.models) {
      const arn = await this.modelArn(model.ModelName ?? '');
      if (arn) await this.claim('model', arn);
      else await this.sagemaker.send(new CreateModelCommand(model), this.cancel);
    }
    const arn = await this.configArn(configName);
    if (arn) await this.claim('endpoint config', arn);
    else await this.sagemaker.send(new CreateEndpointConfigCommand(plan.endpointConfig), this.cancel);
  }

  /** Drift: tags edited outside Kubernetes are put back at each check of an endpoint at rest. */
  private async correctTags(endpoint: DescribeEndpointOutput): Promise<void> {
    const arn = endpoint.EndpointArn ?? '';
    await applyTags(
      this.sagemaker,
      arn,
      await listAllTags(this.sagemaker, arn, this.cancel),
      this.tags,
      this.cancel,
    );
  }

  /** After a spec change, the tags of the endpoint and of the planned Models and config that exist. */
  private async claimExisting(endpoint: DescribeEndpointOutput, plan: EndpointPlan): Promise<void> {
    await this.claim('endpoint', endpoint.EndpointArn ?? '');
    for (const model of plan.models) {
      const arn = await this.modelArn(model.ModelName ?? '');
      if (arn) await this.claim('model', arn);
    }
    const arn = await this.configArn(plan.endpointConfig.EndpointConfigName ?? '');
    if (arn) await this.claim('endpoint config', arn);
  }

  private async modelArn(name: string): Promise<string | undefined> {
    const model = await orAbsent(
      this.sagemaker.send(new DescribeModelCommand({ ModelName: name }), this.cancel),
    );
    return model?.ModelArn;
  }

  private async configArn(name: string): Promise<string | undefined> {
    const config = await orAbsent(
      this.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }), this.cancel),
    );
    return config?.EndpointConfigArn;
  }

  /** Also the answer to an endpoint deleted outside the operator: hosting is what the user asked for. */
  private async create(plan: EndpointPlan): Promise<ReconcileResult> {
    await this.ensureResources(plan);
    const configName = plan.endpointConfig.EndpointConfigName ?? '';
    const created = await this.sagemaker.send(
      new CreateEndpointCommand({
        EndpointName: this.endpointName,
        EndpointConfigName: configName,
        Tags: this.tags,
      }),
      this.cancel,
    );
    this.ctx.status.set({
      endpointArn: created.EndpointArn,
      endpointStatus: 'Creating',
      lastApplied: {
        endpointConfigName: configName,
        generation: this.generation,
        capacities: plan.capacities,
      },
    });
    const message = `creating endpoint ${this.endpointName} with ${configName}`;
    this.ctx.events.normal('Creating', message, 'Create');
    this.ctx.status.setCondition('Ready', 'False', 'Creating', message);
    return requeueAfter(this.options.polling.minMs);
  }

  /** A failed create is replaced for a new generation: SageMaker allows nothing but DeleteEndpoint. */
  private async deleteForRecreate(): Promise<ReconcileResult> {
    await this.sagemaker.send(new DeleteEndpointCommand({ EndpointName: this.endpointName }), this.cancel);
    this.ctx.events.normal('Recreating', `deleting failed endpoint ${this.endpointName} to create it again`);
    return requeueAfter(this.options.polling.minMs);
  }

  private async updateEndpoint(
    plan: EndpointPlan,
    applied: LastApplied | undefined,
  ): Promise<ReconcileResult> {
    await this.ensureResources(plan);
    const configName = plan.endpointConfig.EndpointConfigName ?? '';
    await this.sagemaker.send(
      new UpdateEndpointCommand(updateEndpointRequest(this.obj.spec, this.endpointName, configName)),
      this.cancel,
    );
    this.ctx.status.set({
      lastApplied: {
        endpointConfigName: configName,
        generation: this.generation,
        capacities: capacitiesAfterUpdate(this.obj.spec, plan.capacities, applied?.capacities ?? []),
      },
    });
    const message = `updating endpoint ${this.endpointName} to ${configName}`;
    this.ctx.events.normal('Updating', message, 'Update');
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
    this.ctx.status.set({
      lastApplied: {
        endpointConfigName: plan.endpointConfig.EndpointConfigName ?? '',
        generation: this.generation,
        capacities: plan.capacities,
      },
    });
    const message = `updating weights and instance counts of endpoint ${this.endpointName}`;
    this.ctx.events.normal('Updating', message, 'Update');
    this.ctx.status.setCondition('Ready', 'False', 'Updating', message);
    return requeueAfter(this.options.polling.minMs);
  }

  private mirror(endpoint: DescribeEndpointOutput, plan: EndpointPlan, step: EndpointStep): void {
    const ready = readyCondition(endpoint, plan, step);
    const event = transitionEvent(this.ctx.status.current.endpointStatus, endpoint, step);
    if (event?.type === 'Warning') this.ctx.events.warning(event.reason, ready.message);
    else if (event) this.ctx.events.normal(event.reason, ready.message);
    this.ctx.status.set({
      ...observedEndpointStatus(endpoint, this.region),
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
    const configName = plan.endpointConfig.EndpointConfigName ?? '';
    if (applied?.endpointConfigName === configName) return;
    this.ctx.status.set({
      lastApplied: {
        endpointConfigName: configName,
        generation: this.generation,
        capacities: plan.capacities,
      },
    });
  }

  /** The Models and EndpointConfigs the plan no longer uses, once the endpoint serves the new config. */
  private async deleteRetired(endpoint: DescribeEndpointOutput, plan: EndpointPlan): Promise<void> {
    const status = this.ctx.status.current;
    const retired = retiredResources(endpoint, plan, {
      endpointConfigNames: status.createdEndpointConfigNames ?? [],
      modelNames: status.createdModelNames ?? [],
    });
    await this.deleteOwned(retired.endpointConfigNames, retired.modelNames);
  }

  /** Deletes configs, then models, that carry this Endpoint's tags, and forgets them in status. */
  private async deleteOwned(configNames: readonly string[], modelNames: readonly string[]): Promise<void> {
    // status.current holds what was last written, not what was set since: track the lists here.
    const status = this.ctx.status.current;
    const deleted = new Set<string>();
    const keep = (names: readonly string[] | undefined) => (names ?? []).filter((n) => !deleted.has(n));
    for (const name of configNames) {
      const arn = await this.configArn(name);
      if (arn && (await this.owns(arn)))
        await this.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name }), this.cancel);
      deleted.add(name);
    }
    for (const name of modelNames) {
      const arn = await this.modelArn(name);
      if (arn && (await this.owns(arn)))
        await this.sagemaker.send(new DeleteModelCommand({ ModelName: name }), this.cancel);
      deleted.add(name);
    }
    if (deleted.size === 0) return;
    this.ctx.status.set({
      createdEndpointConfigNames: keep(status.createdEndpointConfigNames),
      createdModelNames: keep(status.createdModelNames),
    });
  }

  private async owns(arn: string): Promise<boolean> {
    return ownershipOf(await listAllTags(this.sagemaker, arn, this.cancel), this.owner) !== 'foreign';
  }

  /** DeleteEndpoint once SageMaker accepts it, then wait until the endpoint is gone. */
  private async deleteEndpoint(endpoint: DescribeEndpointOutput): Promise<ReconcileResult> {
    if (!(await this.owns(endpoint.EndpointArn ?? ''))) {
      this.ctx.log.info({ endpoint: this.endpointName }, 'not ours: leaving the endpoint alone');
      return done;
    }
    if (isBusy(endpoint)) return requeueAfter(nextPollMs(endpoint, new Date(), this.options.polling));
    await this.sagemaker.send(new DeleteEndpointCommand({ EndpointName: this.endpointName }), this.cancel);
    this.ctx.events.normal('Deleting', `deleting endpoint ${this.endpointName}`, 'Delete');
    return requeueAfter(this.options.polling.minMs);
  }
}

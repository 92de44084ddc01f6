import {
  CreateEndpointConfigCommand,
  DeleteEndpointConfigCommand,
  DescribeEndpointConfigCommand,
  type DescribeEndpointConfigOutput,
  type DescribeEndpointOutput,
} from '@aws-sdk/client-sagemaker';
import type { EndpointStatus } from '../../crds/endpoint.js';
import type { StatusHelper } from '../../runtime/index.js';
import { including, type ManagedResource, type ResourceRef } from '../common/managed-resource.js';
import { deleteModelIfOwned, ensureModel, modelRef } from '../common/models.js';
import { retiredResources } from './lifecycle.js';
import type { EndpointPlan } from './plan.js';

/**
 * The Models and EndpointConfigs an Endpoint creates, named by their content: recorded in status
 * before they are created, claimed after a spec change, deleted once the endpoint serves a config
 * that no longer uses them, and on the Endpoint's deletion. Only what carries the Endpoint's tags
 * is deleted.
 */
export class DerivedResources {
  constructor(
    private readonly resource: ManagedResource<EndpointStatus>,
    private readonly status: StatusHelper<EndpointStatus>,
  ) {}

  /**
   * The plan's Models and EndpointConfig, each described by name before it is created. Their names
   * are recorded in status first, so that a crash after a create still deletes them in the end.
   * False while one of them exists but cannot be described yet.
   */
  async ensure(plan: EndpointPlan): Promise<boolean> {
    const status = this.status.current;
    const modelNames = plan.models.map((m) => m.ModelName ?? '');
    const configName = plan.endpointConfig.EndpointConfigName ?? '';
    const created = {
      createdModelNames: including(status.createdModelNames, modelNames),
      createdEndpointConfigNames: including(status.createdEndpointConfigNames, [configName]),
    };
    this.status.set({ ...created, modelNames });
    await this.status.flush();
    for (const model of plan.models) {
      if ((await ensureModel(this.resource, model)) === 'notVisible') return false;
    }
    const ensured = await this.resource.ensure(this.configRef(configName), () =>
      this.resource.sagemaker.send(
        new CreateEndpointConfigCommand(plan.endpointConfig),
        this.resource.cancel,
      ),
    );
    return ensured === 'present';
  }

  /** The planned Models and config that exist, claimed (after a spec change: their tags, adoptExisting). */
  async claim(plan: EndpointPlan): Promise<void> {
    for (const model of plan.models)
      await this.resource.claimIfPresent(modelRef(this.resource, model.ModelName ?? ''));
    await this.resource.claimIfPresent(this.configRef(plan.endpointConfig.EndpointConfigName ?? ''));
  }

  /** The Models and EndpointConfigs the plan no longer uses, once the endpoint serves the new config. */
  async deleteRetired(endpoint: DescribeEndpointOutput, plan: EndpointPlan): Promise<void> {
    const status = this.status.current;
    const retired = retiredResources(endpoint, plan, {
      endpointConfigNames: status.createdEndpointConfigNames ?? [],
      modelNames: status.createdModelNames ?? [],
    });
    await this.deleteOwned(retired.endpointConfigNames, retired.modelNames);
  }

  /** Every Model and EndpointConfig the Endpoint created: on its deletion. */
  async deleteAll(): Promise<void> {
    const status = this.status.current;
    await this.deleteOwned(status.createdEndpointConfigNames ?? [], status.createdModelNames ?? []);
  }

  /** Deletes configs, then models, that carry this Endpoint's tags, and forgets them in status. */
  private async deleteOwned(configNames: readonly string[], modelNames: readonly string[]): Promise<void> {
    // status.current holds what was last written, not what was set since: track the lists here.
    const status = this.status.current;
    const deleted = new Set<string>();
    const keep = (names: readonly string[] | undefined) => (names ?? []).filter((n) => !deleted.has(n));
    for (const name of configNames) {
      const arn = (await this.resource.find(this.configRef(name)))?.EndpointConfigArn;
      if (arn && (await this.resource.owns(arn)))
        await this.resource.sagemaker.send(
          new DeleteEndpointConfigCommand({ EndpointConfigName: name }),
          this.resource.cancel,
        );
      deleted.add(name);
    }
    for (const name of modelNames) {
      await deleteModelIfOwned(this.resource, name);
      deleted.add(name);
    }
    if (deleted.size === 0) return;
    this.status.set({
      createdEndpointConfigNames: keep(status.createdEndpointConfigNames),
      createdModelNames: keep(status.createdModelNames),
    });
  }

  private configRef(name: string): ResourceRef<DescribeEndpointConfigOutput> {
    return {
      label: 'endpoint config',
      name,
      describe: () =>
        this.resource.sagemaker.send(
          new DescribeEndpointConfigCommand({ EndpointConfigName: name }),
          this.resource.cancel,
        ),
      arnOf: (d) => d.EndpointConfigArn,
    };
  }
}

import type {
  ContainerDefinition,
  CreateEndpointConfigInput,
  DataCaptureConfig,
  CreateEndpointInput,
  CreateModelInput,
  DeleteEndpointConfigInput,
  DeleteEndpointInput,
  DeleteModelInput,
  DeployedImage,
  DeploymentConfig,
  DescribeEndpointConfigInput,
  DescribeEndpointInput,
  DescribeEndpointOutput,
  DescribeModelInput,
  EndpointStatus,
  ListEndpointConfigsInput,
  ListEndpointsInput,
  ListModelsInput,
  ProductionVariantSummary,
  UpdateEndpointInput,
  UpdateEndpointWeightsAndCapacitiesInput,
  ProductionVariantStatus,
} from '@aws-sdk/client-sagemaker';
import { imageDigest } from './images.js';
import type { Context, Handler, Wire } from './context.js';
import { echo } from './context.js';
import { resourceLimitExceeded, validation } from './errors.js';
import { settleAll } from './lifecycle.js';
import { list } from './listing.js';
import { checkInstancesPerType, quotaMessage } from './quotas.js';
import type { Resource } from './resources.js';
import { newResource, Registry } from './resources.js';
import { tagsFrom } from './tags.js';

export type ModelRequest = Wire<CreateModelInput>;
export type EndpointConfigRequest = Wire<CreateEndpointConfigInput>;

export interface Model extends Resource {
  request: ModelRequest;
}

export interface EndpointConfig extends Resource {
  request: EndpointConfigRequest;
}

/** A variant as deployed: the model is a snapshot, so deleting the Model later does not affect it. */
export interface ServingVariant {
  name: string;
  model: ModelRequest;
  weight: number;
  instanceCount: number;
  desiredWeight: number;
  desiredInstanceCount: number;
}

/** An endpoint config as deployed on an endpoint. */
export interface Deployment {
  configName: string;
  config: EndpointConfigRequest;
  variants: ServingVariant[];
  /** The config's, or the previous deployment's when UpdateEndpoint retained variant properties. */
  dataCapture?: Wire<DataCaptureConfig> | undefined;
}

export interface Endpoint extends Resource {
  status: EndpointStatus;
  failureReason?: string;
  /** What serves traffic; absent until the creation finishes. */
  deployed?: Deployment;
  /** The deployment in progress (creation or UpdateEndpoint). */
  incoming?: { deployment: Deployment; startTime: number };
  lastDeploymentConfig?: Wire<DeploymentConfig>;
  invocations: number;
}

export interface Hosting {
  models: Registry<Model>;
  endpointConfigs: Registry<EndpointConfig>;
  endpoints: Registry<Endpoint>;
  operations: Record<string, Handler>;
}

const busyStatuses: EndpointStatus[] = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'];

/** DescribeModel's containers as SageMaker reports them: with the mode it defaulted. */
const containerDefaults = (container: Wire<ContainerDefinition>): Wire<ContainerDefinition> => ({
  Mode: 'SingleModel',
  ...container,
  ...(container.Mode === 'MultiModel' && {
    MultiModelConfig: { ModelCacheSetting: 'Enabled', ...container.MultiModelConfig },
  }),
});

/** The model data a container needs in S3 at CreateModel: a SingleModel artifact, or a ModelDataSource object. */
const requiredModelData = (container: Wire<ContainerDefinition>): { uri: string; prefix: boolean }[] => {
  const source = container.ModelDataSource?.S3DataSource;
  if (source?.S3Uri !== undefined) return [{ uri: source.S3Uri, prefix: source.S3DataType === 'S3Prefix' }];
  if (container.ModelDataUrl !== undefined && container.Mode !== 'MultiModel') {
    return [{ uri: container.ModelDataUrl, prefix: false }];
  }
  return [];
};

const healthCheckFailure = (variant: string): string =>
  `The primary container for production variant ${variant} did not pass the ping health check. Please check CloudWatch logs for this endpoint.`;

/** Images as SageMaker reports them: the tag resolved to a digest. */
const deployedImages = (model: ModelRequest, resolvedAt: number): Wire<DeployedImage>[] =>
  [...(model.PrimaryContainer ? [model.PrimaryContainer] : []), ...(model.Containers ?? [])]
    .filter((c) => c.Image !== undefined)
    .map((c) => ({
      SpecifiedImage: c.Image,
      ResolvedImage: `${c.Image!.split(':')[0]!}@${imageDigest(c.Image!)}`,
      ResolutionTime: resolvedAt,
    }));

/**
 * `resolveContainer` fills a container that names a model package (ModelPackageName) with the
 * package's image and model data, so what is deployed and served is the package's model.
 */
export function hosting(
  ctx: Context,
  resolveContainer: (container: Wire<ContainerDefinition>) => Wire<ContainerDefinition>,
): Hosting {
  const models = new Registry<Model>('model', ctx.scope, (_, arn) =>
    validation(`Could not find model "${arn}".`),
  );
  const endpointConfigs = new Registry<EndpointConfig>('endpoint-config', ctx.scope, (_, arn) =>
    validation(`Could not find endpoint configuration "${arn}".`),
  );
  const endpoints = new Registry<Endpoint>('endpoint', ctx.scope, (_, arn) =>
    validation(`Could not find endpoint "${arn}".`),
  );

  const rejectDuplicate = (registry: Registry<Resource>, label: string, name: string): void => {
    const existing = registry.get(name);
    if (existing) throw validation(`Cannot create already existing ${label} "${existing.arn}".`);
  };

  const settledEndpoint = async (name: string): Promise<Endpoint> => {
    const endpoint = endpoints.require(name);
    await ctx.lifecycle.settle(endpoint);
    return endpoint;
  };

  /** A config deployed with the models it names as they are now; retained properties come from `previous`. */
  const deploymentOf = (
    configName: string,
    previous?: Deployment,
    retain?: { all: boolean; exclude: Set<string> },
  ): Deployment => {
    const config = endpointConfigs.require(configName).request;
    const variants = (config.ProductionVariants ?? []).map((v): ServingVariant => {
      const old = retain?.all ? previous?.variants.find((p) => p.name === v.VariantName) : undefined;
      const weight =
        old && !retain?.exclude.has('DesiredWeight') ? old.desiredWeight : (v.InitialVariantWeight ?? 1);
      const count =
        old && !retain?.exclude.has('DesiredInstanceCount')
          ? old.desiredInstanceCount
          : (v.InitialInstanceCount ?? (v.ServerlessConfig ? 0 : 1));
      return {
        name: v.VariantName!,
        model: models.require(v.ModelName!).request,
        weight,
        instanceCount: count,
        desiredWeight: weight,
        desiredInstanceCount: count,
      };
    });
    // Retained variant properties keep the data capture settings too; ExcludeRetainedVariantProperties
    // cannot take them from the new config ("not currently supported", reference §2.6).
    const dataCapture = retain?.all && previous ? previous.dataCapture : config.DataCaptureConfig;
    return { configName: config.EndpointConfigName!, config, variants, dataCapture };
  };

  const checkInstances = (deployment: Deployment): void => {
    const limit = ctx.settings.limits.instancesPerEndpoint;
    const requested = deployment.variants.reduce((sum, v) => sum + v.desiredInstanceCount, 0);
    const types = new Map(
      [
        ...(deployment.config.ProductionVariants ?? []),
        ...(deployment.config.ShadowProductionVariants ?? []),
      ].map((v) => [v.VariantName, v.InstanceType]),
    );
    checkInstancesPerType(
      ctx,
      'endpoint usage',
      deployment.variants.map((v) => ({ type: types.get(v.name), count: v.desiredInstanceCount })),
    );
    if (limit !== undefined && requested > limit) {
      throw resourceLimitExceeded(
        quotaMessage('Number of instances per endpoint', limit, 0, 'Instances', requested),
      );
    }
  };

  const setStatus = (endpoint: Endpoint, status: EndpointStatus): void => {
    endpoint.status = status;
    endpoint.lastModifiedTime = ctx.now();
    ctx.stateChanged('Endpoint', endpoint, () => describeEndpoint(endpoint));
  };

  const requireInService = (endpoint: Endpoint): void => {
    if (busyStatuses.includes(endpoint.status)) {
      throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
    }
    if (endpoint.status !== 'InService') {
      throw validation(`Cannot update endpoint "${endpoint.arn}" in status ${endpoint.status}.`);
    }
  };

  /**
   * The end of a failed change: straight back to InService on what served before, or through
   * RollingBack (and possibly stuck in UpdateRollbackFailed).
   */
  const planFailure = (
    endpoint: Endpoint,
    outcome: string,
    reason: string | undefined,
    rollBack: () => void,
  ): void => {
    const at = ctx.now() + ctx.timing('endpointUpdating');
    const failed = (status: EndpointStatus) => (): void => {
      rollBack();
      endpoint.incoming = undefined;
      endpoint.failureReason = reason;
      setStatus(endpoint, status);
      if (status === 'InService') maintain(endpoint);
    };
    if (outcome === 'Failed') {
      ctx.lifecycle.plan(endpoint, [{ at, run: failed('InService') }]);
      return;
    }
    const rolledBack = at + ctx.timing('endpointRollingBack');
    ctx.lifecycle.plan(endpoint, [
      {
        at,
        run: () => {
          setStatus(endpoint, 'RollingBack');
        },
      },
      {
        at: rolledBack,
        run: failed(outcome === 'UpdateRollbackFailed' ? 'UpdateRollbackFailed' : 'InService'),
      },
    ]);
  };

  /** A steered maintenance, once: InService → SystemUpdating → InService. */
  const maintain = (endpoint: Endpoint): void => {
    if (endpoint.status !== 'InService' || !ctx.steering.take('EndpointMaintenance', endpoint.name)) return;
    setStatus(endpoint, 'SystemUpdating');
    ctx.lifecycle.plan(endpoint, [
      {
        at: ctx.now() + ctx.timing('endpointSystemUpdating'),
        run: () => {
          setStatus(endpoint, 'InService');
        },
      },
    ]);
  };

  ctx.steering.onSet((steer) => {
    if (steer.kind !== 'EndpointMaintenance') return;
    const endpoint = endpoints.get(steer.name);
    if (!endpoint) return;
    const settled = ctx.lifecycle.settle(endpoint);
    if (settled) {
      settled.then(
        () => {
          maintain(endpoint);
        },
        (error: unknown) => {
          ctx.reportError(error);
        },
      );
    } else maintain(endpoint);
  });

  /** SageMaker looks for a SingleModel container's artifact when the model is created. */
  const checkModelData = async (input: ModelRequest): Promise<void> => {
    const containers = [
      ...(input.PrimaryContainer ? [input.PrimaryContainer] : []),
      ...(input.Containers ?? []),
    ];
    for (const { uri, prefix } of containers.flatMap(requiredModelData)) {
      const found = await (
        prefix ? ctx.s3.list(uri).then((uris) => uris.length > 0) : ctx.s3.exists(uri)
      ).catch(() => false);
      if (!found) throw validation(`Could not find model data at ${uri}.`);
    }
  };

  const variantSummary = (
    v: ServingVariant,
    status?: Wire<ProductionVariantStatus>[],
  ): Wire<ProductionVariantSummary> => ({
    VariantName: v.name,
    DeployedImages: deployedImages(v.model, ctx.now()),
    CurrentWeight: v.weight,
    DesiredWeight: v.desiredWeight,
    CurrentInstanceCount: v.instanceCount,
    DesiredInstanceCount: v.desiredInstanceCount,
    VariantStatus: status,
  });

  const describeEndpoint = (endpoint: Endpoint): Wire<DescribeEndpointOutput> => {
    const { deployed, incoming } = endpoint;
    const capture = deployed?.dataCapture;
    const incomingStatus = deployed ? 'Updating' : 'Creating';
    return {
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      // During an update the old config is still the one serving, and is the one reported.
      EndpointConfigName: deployed?.configName ?? incoming?.deployment.configName,
      ProductionVariants: deployed?.variants.map((v) => variantSummary(v)),
      DataCaptureConfig: capture && {
        EnableCapture: capture.EnableCapture ?? true,
        CaptureStatus: capture.EnableCapture === false ? 'Stopped' : 'Started',
        CurrentSamplingPercentage: capture.InitialSamplingPercentage,
        DestinationS3Uri: capture.DestinationS3Uri,
        // Required in the answer: without a key of its own, SageMaker reports an empty one.
        KmsKeyId: capture.KmsKeyId ?? '',
      },
      EndpointStatus: endpoint.status,
      FailureReason: endpoint.failureReason,
      CreationTime: endpoint.creationTime,
      LastModifiedTime: endpoint.lastModifiedTime,
      LastDeploymentConfig: endpoint.lastDeploymentConfig,
      PendingDeploymentSummary: incoming && {
        EndpointConfigName: incoming.deployment.configName,
        ProductionVariants: incoming.deployment.variants.map((v) => ({
          ...variantSummary(v, [{ Status: incomingStatus, StartTime: incoming.startTime }]),
          CurrentWeight: undefined,
          CurrentInstanceCount: undefined,
        })),
        StartTime: incoming.startTime,
      },
    };
  };

  const operations = {
    async CreateModel(input: ModelRequest) {
      rejectDuplicate(models, 'model', input.ModelName!);
      const request: ModelRequest = {
        ...input,
        ...(input.PrimaryContainer && { PrimaryContainer: resolveContainer(input.PrimaryContainer) }),
        ...(input.Containers && { Containers: input.Containers.map(resolveContainer) }),
      };
      if (ctx.settings.s3Checks.inputsExist) await checkModelData(request);
      const model: Model = {
        ...newResource(input.ModelName!, models.arn(input.ModelName!), ctx.now()),
        tags: tagsFrom(input.Tags),
        request,
      };
      models.add(model);
      return { ModelArn: model.arn };
    },
    DescribeModel(input: Wire<DescribeModelInput>) {
      const model = models.require(input.ModelName!);
      const request = echo(model.request, ['Tags']);
      return {
        ...request,
        ...(request.PrimaryContainer && { PrimaryContainer: containerDefaults(request.PrimaryContainer) }),
        ...(request.Containers && { Containers: request.Containers.map(containerDefaults) }),
        EnableNetworkIsolation: request.EnableNetworkIsolation ?? false,
        ModelArn: model.arn,
        CreationTime: model.creationTime,
      };
    },
    DeleteModel(input: Wire<DeleteModelInput>) {
      models.delete(models.require(input.ModelName!));
      return {};
    },
    ListModels(input: Wire<ListModelsInput>) {
      const { page, NextToken } = list(models.values(), input, {
        defaultOrder: 'Descending',
        creationAfterInclusive: true,
      });
      return {
        Models: page.map((m) => ({ ModelName: m.name, ModelArn: m.arn, CreationTime: m.creationTime })),
        NextToken,
      };
    },

    CreateEndpointConfig(input: EndpointConfigRequest) {
      rejectDuplicate(endpointConfigs, 'endpoint configuration', input.EndpointConfigName!);
      for (const variant of [
        ...(input.ProductionVariants ?? []),
        ...(input.ShadowProductionVariants ?? []),
      ]) {
        if (variant.ModelName !== undefined) models.require(variant.ModelName);
      }
      const config: EndpointConfig = {
        ...newResource(input.EndpointConfigName!, endpointConfigs.arn(input.EndpointConfigName!), ctx.now()),
        tags: tagsFrom(input.Tags),
        request: input,
      };
      endpointConfigs.add(config);
      return { EndpointConfigArn: config.arn };
    },
    DescribeEndpointConfig(input: Wire<DescribeEndpointConfigInput>) {
      const config = endpointConfigs.require(input.EndpointConfigName!);
      const request = echo(config.request, ['Tags']);
      const capture = request.DataCaptureConfig;
      return {
        ...request,
        ProductionVariants: request.ProductionVariants?.map((v) => ({
          ...(!v.ServerlessConfig && { InitialVariantWeight: 1 }),
          ...v,
        })),
        ...(capture && { DataCaptureConfig: { EnableCapture: true, ...capture } }),
        EnableNetworkIsolation: request.EnableNetworkIsolation ?? false,
        EndpointConfigArn: config.arn,
        CreationTime: config.creationTime,
      };
    },
    DeleteEndpointConfig(input: Wire<DeleteEndpointConfigInput>) {
      endpointConfigs.delete(endpointConfigs.require(input.EndpointConfigName!));
      return {};
    },
    ListEndpointConfigs(input: Wire<ListEndpointConfigsInput>) {
      const { page, NextToken } = list(endpointConfigs.values(), input, {
        defaultOrder: 'Descending',
        creationAfterInclusive: true,
      });
      return {
        EndpointConfigs: page.map((c) => ({
          EndpointConfigName: c.name,
          EndpointConfigArn: c.arn,
          CreationTime: c.creationTime,
        })),
        NextToken,
      };
    },

    CreateEndpoint(input: Wire<CreateEndpointInput>) {
      const name = input.EndpointName!;
      rejectDuplicate(endpoints, 'endpoint', name);
      const deployment = deploymentOf(input.EndpointConfigName!);
      const limit = ctx.settings.limits.endpoints;
      if (limit !== undefined && endpoints.size >= limit) {
        throw resourceLimitExceeded(quotaMessage('Number of endpoints', limit, endpoints.size, 'Endpoints'));
      }
      checkInstances(deployment);
      const now = ctx.now();
      const endpoint: Endpoint = {
        ...newResource(name, endpoints.arn(name), now),
        tags: tagsFrom(input.Tags),
        status: 'Creating',
        incoming: { deployment, startTime: now },
        lastDeploymentConfig: input.DeploymentConfig,
        invocations: 0,
      };
      endpoints.add(endpoint);
      ctx.stateChanged('Endpoint', endpoint, () => describeEndpoint(endpoint));
      const steer = ctx.steering.get('Endpoint', name, 'create');
      const failed = steer?.outcome === 'Failed' || steer?.outcome === 'RollingBack';
      ctx.lifecycle.plan(endpoint, [
        {
          at: now + ctx.timing('endpointCreating'),
          run: () => {
            endpoint.incoming = undefined;
            if (failed) {
              endpoint.failureReason =
                steer.failureReason ?? healthCheckFailure(deployment.variants[0]?.name ?? '');
              setStatus(endpoint, 'Failed');
            } else {
              endpoint.deployed = deployment;
              setStatus(endpoint, 'InService');
              maintain(endpoint);
            }
          },
        },
      ]);
      return { EndpointArn: endpoint.arn };
    },

    async DescribeEndpoint(input: Wire<DescribeEndpointInput>) {
      return describeEndpoint(await settledEndpoint(input.EndpointName!));
    },

    async ListEndpoints(input: Wire<ListEndpointsInput>) {
      await settleAll(ctx.lifecycle, endpoints.values());
      const { page, NextToken } = list(endpoints.values(), input, {
        status: (e) => e.status,
        defaultOrder: 'Descending',
        creationAfterInclusive: true,
      });
      return {
        Endpoints: page.map((e) => ({
          EndpointName: e.name,
          EndpointArn: e.arn,
          CreationTime: e.creationTime,
          LastModifiedTime: e.lastModifiedTime,
          EndpointStatus: e.status,
        })),
        NextToken,
      };
    },

    async UpdateEndpoint(input: Wire<UpdateEndpointInput>) {
      const endpoint = await settledEndpoint(input.EndpointName!);
      requireInService(endpoint);
      const previous = endpoint.deployed!;
      const deployment = deploymentOf(input.EndpointConfigName!, previous, {
        all: input.RetainAllVariantProperties ?? false,
        exclude: new Set(
          (input.ExcludeRetainedVariantProperties ?? []).map((p) => p.VariantPropertyType ?? ''),
        ),
      });
      checkInstances(deployment);
      const deploymentConfig = input.RetainDeploymentConfig
        ? endpoint.lastDeploymentConfig
        : input.DeploymentConfig;
      endpoint.incoming = { deployment, startTime: ctx.now() };
      endpoint.failureReason = undefined;
      setStatus(endpoint, 'Updating');
      const steer = ctx.steering.get('Endpoint', endpoint.name, 'update');
      if (steer && steer.outcome !== 'Succeeded') {
        const reason = steer.withoutFailureReason
          ? undefined
          : (steer.failureReason ?? healthCheckFailure(deployment.variants[0]?.name ?? ''));
        planFailure(endpoint, steer.outcome, reason, () => undefined);
      } else {
        ctx.lifecycle.plan(endpoint, [
          {
            at: ctx.now() + ctx.timing('endpointUpdating'),
            run: () => {
              endpoint.deployed = deployment;
              endpoint.incoming = undefined;
              endpoint.lastDeploymentConfig = deploymentConfig;
              setStatus(endpoint, 'InService');
              maintain(endpoint);
            },
          },
        ]);
      }
      return { EndpointArn: endpoint.arn };
    },

    async UpdateEndpointWeightsAndCapacities(input: Wire<UpdateEndpointWeightsAndCapacitiesInput>) {
      const endpoint = await settledEndpoint(input.EndpointName!);
      requireInService(endpoint);
      const variants = endpoint.deployed!.variants;
      const desired = input.DesiredWeightsAndCapacities ?? [];
      const unknown = desired.map((d) => d.VariantName!).filter((n) => !variants.some((v) => v.name === n));
      if (unknown.length > 0) {
        throw validation(
          `The variant name(s) [${unknown.join(', ')}] are not present on endpoint "${endpoint.arn}".`,
        );
      }
      for (const d of desired) {
        const variant = variants.find((v) => v.name === d.VariantName)!;
        variant.desiredWeight = d.DesiredWeight ?? variant.weight;
        variant.desiredInstanceCount = d.DesiredInstanceCount ?? variant.instanceCount;
      }
      checkInstances(endpoint.deployed!);
      endpoint.failureReason = undefined;
      setStatus(endpoint, 'Updating');
      const steer = ctx.steering.get('Endpoint', endpoint.name, 'update');
      if (steer && steer.outcome !== 'Succeeded') {
        const reason = steer.withoutFailureReason
          ? undefined
          : (steer.failureReason ??
            `Failed to update the weights and capacities of endpoint "${endpoint.arn}".`);
        // A failed weight or capacity change always goes through RollingBack.
        const outcome = steer.outcome === 'Failed' ? 'RollingBack' : steer.outcome;
        planFailure(endpoint, outcome, reason, () => {
          for (const v of variants)
            Object.assign(v, { desiredWeight: v.weight, desiredInstanceCount: v.instanceCount });
        });
      } else {
        ctx.lifecycle.plan(endpoint, [
          {
            at: ctx.now() + ctx.timing('endpointUpdating'),
            run: () => {
              for (const v of variants)
                Object.assign(v, { weight: v.desiredWeight, instanceCount: v.desiredInstanceCount });
              setStatus(endpoint, 'InService');
              maintain(endpoint);
            },
          },
        ]);
      }
      return { EndpointArn: endpoint.arn };
    },

    async DeleteEndpoint(input: Wire<DeleteEndpointInput>) {
      const endpoint = await settledEndpoint(input.EndpointName!);
      if (busyStatuses.includes(endpoint.status)) {
        throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
      }
      setStatus(endpoint, 'Deleting');
      ctx.lifecycle.plan(endpoint, [
        {
          at: ctx.now() + ctx.timing('endpointDeleting'),
          run: () => {
            endpoints.delete(endpoint);
          },
        },
      ]);
      return {};
    },
  };

  return { models, endpointConfigs, endpoints, operations };
}

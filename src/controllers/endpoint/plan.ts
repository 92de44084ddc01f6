import type {
  CreateEndpointInput,
  CreateEndpointConfigInput,
  CreateModelInput,
  ProductionVariant,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { derivedName } from '../../aws/naming.js';
import type { EndpointSpec, EndpointStatus } from '../../crds/endpoint.js';
import {
  CreateEndpointInput as EndpointShape,
  CreateEndpointConfigInput as EndpointConfigShape,
} from '../../crds/shapes/sagemaker.generated.js';
import {
  modelContent,
  modelTrainingJobs,
  resolveArtifacts,
  type ArtifactsResolution,
} from '../common/models.js';
import { toRequest } from '../common/sagemaker-shape.js';
import { parseVersionArn } from './registry.js';
import type { TrainingJobOutcome } from '../common/upstream.js';

/** The weight and instance count the spec asks of one variant. */
export interface Capacity {
  variantName: string;
  weight?: number;
  instanceCount?: number;
}

/** A model registry version a model's container serves. */
export type ServedModelPackage = NonNullable<EndpointStatus['modelPackages']>[number];

/**
 * Everything SageMaker must hold for a spec: its Models, its EndpointConfig and the variants'
 * capacities; and the registry versions its models serve.
 */
export interface EndpointPlan {
  models: CreateModelInput[];
  endpointConfig: CreateEndpointConfigInput;
  capacities: Capacity[];
  modelPackages: ServedModelPackage[];
}

/**
 * The content-addressed resources for a spec: a changed spec means new names, an unchanged one
 * the same names after any restart. A Model is named after its request; the EndpointConfig after
 * its request without the production variants' weights and instance counts, which
 * UpdateEndpointWeightsAndCapacities changes in place. Both hashes include the endpoint name, so two
 * endpoints never share a resource even when their names are shortened alike.
 *
 * `artifacts` gives the model.tar.gz of every TrainingJob in referencedTrainingJobs(spec), `packages`
 * the version ARN of every registry source (modelPackageSources), so that a newly approved version
 * makes new names and rolls the endpoint through UpdateEndpoint.
 */
export function endpointPlan(
  spec: EndpointSpec,
  endpointName: string,
  artifacts: ReadonlyMap<string, string>,
  tags: Tag[],
  packages: ReadonlyMap<string, string> = new Map(),
): EndpointPlan {
  const modelNames = new Map<string, string>();
  const modelPackages: ServedModelPackage[] = [];
  const models = spec.models.map((model) => {
    const content = modelContent(model, artifacts, packages);
    modelPackages.push(...servedModelPackages(model.modelName, content));
    const name = derivedName(`${endpointName}-${model.modelName}`, {
      endpointName,
      model: model.modelName,
      content,
    });
    modelNames.set(model.modelName, name);
    return { ...content, ModelName: name, Tags: tags };
  });
  const serving = (variant: ProductionVariant): ProductionVariant => ({
    ...variant,
    ModelName: variant.ModelName === undefined ? undefined : modelNames.get(variant.ModelName),
  });
  const config = toRequest(EndpointConfigShape, spec) as Omit<
    CreateEndpointConfigInput,
    'EndpointConfigName'
  >;
  const variants = (config.ProductionVariants ?? []).map((v) => ({
    ...serving(v),
    InitialVariantWeight: v.InitialVariantWeight ?? 1,
  }));
  const content = {
    ...config,
    ProductionVariants: variants,
    ShadowProductionVariants: config.ShadowProductionVariants?.map(serving),
  };
  const withoutCapacities = {
    ...content,
    ProductionVariants: variants.map(
      ({ InitialVariantWeight: _w, InitialInstanceCount: _c, ...rest }): ProductionVariant => rest,
    ),
  };
  return {
    models,
    endpointConfig: {
      ...content,
      EndpointConfigName: derivedName(endpointName, { endpointName, config: withoutCapacities }),
      Tags: tags,
    },
    capacities: desiredCapacities(spec),
    modelPackages,
  };
}

/** ` (model version churn/3)`, naming the registry versions of the plan, or nothing. */
export function versionsNote(plan: EndpointPlan): string {
  const versions = plan.modelPackages.map((p) =>
    p.modelPackageVersion === undefined
      ? p.modelPackageArn
      : `${p.modelPackageGroupName ?? ''}/${p.modelPackageVersion}`,
  );
  return versions.length > 0 ? ` (model version ${versions.join(', ')})` : '';
}

function servedModelPackages(
  modelName: string,
  content: Omit<CreateModelInput, 'ModelName'>,
): ServedModelPackage[] {
  const containers = [
    ...(content.PrimaryContainer ? [content.PrimaryContainer] : []),
    ...(content.Containers ?? []),
  ];
  return containers.flatMap((c) => {
    const arn = c.ModelPackageName;
    if (arn === undefined) return [];
    const versioned = parseVersionArn(arn);
    return [
      {
        modelName,
        modelPackageArn: arn,
        modelPackageGroupName: versioned?.group,
        modelPackageVersion: versioned?.version,
      },
    ];
  });
}

/** CreateEndpoint on the planned config, with the spec's deployment config. */
export function createEndpointRequest(
  spec: EndpointSpec,
  endpointName: string,
  endpointConfigName: string,
  tags: Tag[],
): CreateEndpointInput {
  return {
    ...(toRequest(EndpointShape, spec) as Omit<CreateEndpointInput, 'EndpointName' | 'EndpointConfigName'>),
    EndpointName: endpointName,
    EndpointConfigName: endpointConfigName,
    Tags: tags,
  };
}

export function desiredCapacities(spec: EndpointSpec): Capacity[] {
  return spec.productionVariants.map((v) => ({
    variantName: v.variantName,
    weight: v.initialVariantWeight ?? 1,
    instanceCount: v.initialInstanceCount,
  }));
}

/** The TrainingJob objects whose artifacts the spec's containers use. */
export function referencedTrainingJobs(spec: EndpointSpec): string[] {
  return modelTrainingJobs(spec.models);
}

/**
 * The artifacts of the TrainingJobs the spec uses, once every one has Completed. A job that failed
 * or stopped will never produce them: the spec must change.
 */
export function resolveReferences(
  spec: EndpointSpec,
  lookup: (name: string) => TrainingJobOutcome | undefined,
): ArtifactsResolution {
  return resolveArtifacts(spec.models, lookup);
}

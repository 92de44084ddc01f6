import type {
  CreateEndpointInput,
  CreateEndpointConfigInput,
  CreateModelInput,
  ProductionVariant,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { derivedName } from '../../aws/naming.js';
import type { EndpointSpec } from '../../crds/endpoint.js';
import {
  CreateEndpointInput as EndpointShape,
  CreateEndpointConfigInput as EndpointConfigShape,
  CreateModelInput as ModelShape,
} from '../../crds/shapes/sagemaker.generated.js';
import { toRequest } from '../common/sagemaker-shape.js';

type ModelSpec = EndpointSpec['models'][number];
type ContainerSpec = NonNullable<ModelSpec['primaryContainer']>;

/** The weight and instance count the spec asks of one variant. */
export interface Capacity {
  variantName: string;
  weight?: number;
  instanceCount?: number;
}

/** Everything SageMaker must hold for a spec: its Models, its EndpointConfig and the variants' capacities. */
export interface EndpointPlan {
  models: CreateModelInput[];
  endpointConfig: CreateEndpointConfigInput;
  capacities: Capacity[];
}

function containersOf(model: ModelSpec): ContainerSpec[] {
  return [...(model.primaryContainer ? [model.primaryContainer] : []), ...(model.containers ?? [])];
}

/** The TrainingJob objects whose artifacts the spec's containers use. */
export function referencedTrainingJobs(spec: EndpointSpec): string[] {
  const names = spec.models.flatMap((m) =>
    containersOf(m).flatMap((c) => (c.modelDataFrom ? [c.modelDataFrom.trainingJobRef.name] : [])),
  );
  return [...new Set(names)];
}

/**
 * The content-addressed resources for a spec (DESIGN.md §4). A Model is named after its request;
 * the EndpointConfig after its request without the production variants' weights and instance
 * counts, which UpdateEndpointWeightsAndCapacities changes in place. Both hashes include the
 * endpoint name, so two endpoints never share a resource even when their names are shortened alike.
 *
 * `artifacts` gives the model.tar.gz of every TrainingJob in referencedTrainingJobs(spec).
 */
export function endpointPlan(
  spec: EndpointSpec,
  endpointName: string,
  artifacts: ReadonlyMap<string, string>,
  tags: Tag[],
): EndpointPlan {
  const modelNames = new Map<string, string>();
  const models = spec.models.map((model) => {
    const content = toRequest(ModelShape, withArtifacts(model, artifacts)) as Omit<
      CreateModelInput,
      'ModelName'
    >;
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
  };
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

/** The model with each modelDataFrom resolved to the referenced job's artifacts. */
function withArtifacts(model: ModelSpec, artifacts: ReadonlyMap<string, string>): ModelSpec {
  const resolved = (container: ContainerSpec): ContainerSpec => {
    if (!container.modelDataFrom) return container;
    const job = container.modelDataFrom.trainingJobRef.name;
    const url = artifacts.get(job);
    if (url === undefined) throw new Error(`no model artifacts known for TrainingJob ${job}`);
    return { ...container, modelDataUrl: url };
  };
  return {
    ...model,
    primaryContainer: model.primaryContainer && resolved(model.primaryContainer),
    containers: model.containers?.map(resolved),
  };
}

/** What a referenced TrainingJob object reports; undefined when it does not exist (yet). */
export interface ReferencedJob {
  trainingJobStatus?: string;
  modelArtifacts?: { s3ModelArtifacts?: string };
}

export type ReferenceResolution =
  | { type: 'ready'; artifacts: Map<string, string> }
  | { type: 'waiting'; message: string }
  | { type: 'invalid'; message: string };

/**
 * The artifacts of the TrainingJobs the spec uses, once every one has Completed. A job that failed
 * or stopped will never produce them: the spec must change.
 */
export function resolveReferences(
  spec: EndpointSpec,
  lookup: (name: string) => ReferencedJob | undefined,
): ReferenceResolution {
  const artifacts = new Map<string, string>();
  const waiting: string[] = [];
  for (const name of referencedTrainingJobs(spec)) {
    const job = lookup(name);
    const state = job?.trainingJobStatus;
    if (state === 'Failed' || state === 'Stopped')
      return {
        type: 'invalid',
        message: `TrainingJob ${name} is ${state}: it will produce no model artifacts`,
      };
    const url = job?.modelArtifacts?.s3ModelArtifacts;
    if (state === 'Completed' && url) artifacts.set(name, url);
    else waiting.push(`${name} (${job ? (state ?? 'not started') : 'not found'})`);
  }
  if (waiting.length > 0)
    return { type: 'waiting', message: `waiting for TrainingJob ${waiting.join(', ')} to complete` };
  return { type: 'ready', artifacts };
}

/** `names` followed by the `added` ones it lacks. */
export function including(names: readonly string[] | undefined, added: readonly string[]): string[] {
  const all = [...(names ?? [])];
  for (const name of added) if (!all.includes(name)) all.push(name);
  return all;
}

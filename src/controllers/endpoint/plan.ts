import type {
  ContainerDefinition,
  CreateEndpointConfigInput,
  CreateModelInput,
  ProductionVariant,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { derivedName } from '../../aws/naming.js';
import type { EndpointSpec } from '../../crds/endpoint.js';
import { toSageMakerShape } from '../common/sagemaker-shape.js';

type ModelSpec = EndpointSpec['models'][number];
type ContainerSpec = ModelSpec['containers'][number];
type VariantSpec = EndpointSpec['productionVariants'][number];

const USER_KEYED_MAPS = new Set(['environment']);

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

/** The TrainingJob objects whose artifacts the spec's containers use. */
export function referencedTrainingJobs(spec: EndpointSpec): string[] {
  const names = spec.models.flatMap((m) =>
    m.containers.flatMap((c) => (c.modelDataFrom ? [c.modelDataFrom.trainingJobRef.name] : [])),
  );
  return [...new Set(names)];
}

/**
 * The content-addressed resources for a spec (DESIGN.md §4). A Model is named after its request;
 * the EndpointConfig after its request without the variants' weights and instance counts, which
 * UpdateEndpointWeightsAndCapacities changes in place. Both hashes include the endpoint name, so
 * two endpoints never share a resource even when their names are shortened alike.
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
    const content = modelRequest(model, artifacts);
    const name = derivedName(`${endpointName}-${model.name}`, { endpointName, model: model.name, content });
    modelNames.set(model.name, name);
    return { ...content, ModelName: name, Tags: tags };
  });
  const variants = spec.productionVariants.map((v) => variantRequest(v, modelNames));
  const content: Omit<CreateEndpointConfigInput, 'EndpointConfigName'> = {
    ProductionVariants: variants,
    KmsKeyId: spec.kmsKeyId,
    DataCaptureConfig: toSageMakerShape(spec.dataCaptureConfig, USER_KEYED_MAPS) as
      CreateEndpointConfigInput['DataCaptureConfig'] | undefined,
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

export function desiredCapacities(spec: EndpointSpec): Capacity[] {
  return spec.productionVariants.map((v) => ({
    variantName: v.variantName,
    weight: v.initialVariantWeight ?? 1,
    instanceCount: v.initialInstanceCount,
  }));
}

function modelRequest(
  model: ModelSpec,
  artifacts: ReadonlyMap<string, string>,
): Omit<CreateModelInput, 'ModelName'> {
  const containers = model.containers.map((c) => containerRequest(c, artifacts));
  const { name: _name, containers: _containers, ...rest } = model;
  return {
    ...(toSageMakerShape(rest, USER_KEYED_MAPS) as Omit<CreateModelInput, 'ModelName'>),
    // One container is the PrimaryContainer of the workflows; more make an inference pipeline.
    ...(containers.length === 1 ? { PrimaryContainer: containers[0] } : { Containers: containers }),
  };
}

function containerRequest(
  container: ContainerSpec,
  artifacts: ReadonlyMap<string, string>,
): ContainerDefinition {
  const { modelDataFrom, ...rest } = container;
  const request = toSageMakerShape(rest, USER_KEYED_MAPS) as ContainerDefinition;
  if (!modelDataFrom) return request;
  const job = modelDataFrom.trainingJobRef.name;
  const url = artifacts.get(job);
  if (url === undefined) throw new Error(`no model artifacts known for TrainingJob ${job}`);
  return { ...request, ModelDataUrl: url };
}

function variantRequest(variant: VariantSpec, modelNames: ReadonlyMap<string, string>): ProductionVariant {
  return {
    ...(toSageMakerShape(variant, USER_KEYED_MAPS) as ProductionVariant),
    InitialVariantWeight: variant.initialVariantWeight ?? 1,
    ModelName: modelNames.get(variant.modelName),
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

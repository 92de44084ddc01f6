import {
  CreateModelCommand,
  DeleteModelCommand,
  DescribeModelCommand,
  type CreateModelInput,
  type DescribeModelOutput,
} from '@aws-sdk/client-sagemaker';
import type { ModelSpec } from '../../crds/model.js';
import { CreateModelInput as ModelShape } from '../../crds/shapes/sagemaker.generated.js';
import type { ManagedResource, ResourceRef } from './managed-resource.js';
import { toRequest } from './sagemaker-shape.js';
import {
  resolveUpstream,
  trainingJobArtifacts,
  type TrainingJobOutcome,
  type UpstreamResolution,
} from './upstream.js';

/*
 * Models the operator creates for an object (an Endpoint's models[], a TransformJob's model): named
 * by their content, owned by the object, their artifacts possibly from a TrainingJob.
 */

type ContainerSpec = NonNullable<ModelSpec['primaryContainer']>;

function containersOf(model: ModelSpec): ContainerSpec[] {
  return [...(model.primaryContainer ? [model.primaryContainer] : []), ...(model.containers ?? [])];
}

/** The TrainingJob objects whose artifacts the models' containers use. */
export function modelTrainingJobs(models: readonly ModelSpec[]): string[] {
  const names = models.flatMap((m) =>
    containersOf(m).flatMap((c) => (c.modelDataFrom ? [c.modelDataFrom.trainingJobRef.name] : [])),
  );
  return [...new Set(names)];
}

/**
 * Where a container's model comes from in the registry: a ModelPackage object (modelPackageRef), or
 * the latest approved version of a group (modelPackageFrom). `key` names it in the map of resolved
 * ARNs that modelContent takes.
 */
export type ModelPackageSource =
  | { key: string; type: 'version'; name: string }
  | { key: string; type: 'latestApproved'; groupName?: string; groupRef?: string };

function packageSourceOf(container: ContainerSpec): ModelPackageSource | undefined {
  if (container.modelPackageRef) {
    const { name } = container.modelPackageRef;
    return { key: `ModelPackage/${name}`, type: 'version', name };
  }
  const from = container.modelPackageFrom;
  if (!from) return undefined;
  if (from.groupRef)
    return {
      key: `ModelPackageGroup/${from.groupRef.name}`,
      type: 'latestApproved',
      groupRef: from.groupRef.name,
    };
  const groupName = from.groupName ?? '';
  return { key: `group/${groupName}`, type: 'latestApproved', groupName };
}

/** The registry sources of the models' containers, each once. */
export function modelPackageSources(models: readonly ModelSpec[]): ModelPackageSource[] {
  const sources = new Map<string, ModelPackageSource>();
  for (const model of models)
    for (const container of containersOf(model)) {
      const source = packageSourceOf(container);
      if (source) sources.set(source.key, source);
    }
  return [...sources.values()];
}

export type ArtifactsResolution =
  { type: 'ready'; artifacts: Map<string, string> } | Exclude<UpstreamResolution, { type: 'ready' }>;

/** The artifacts of the TrainingJobs the models use (by job name), once every one has Completed. */
export function resolveArtifacts(
  models: readonly ModelSpec[],
  lookup: (name: string) => TrainingJobOutcome | undefined,
): ArtifactsResolution {
  const names = modelTrainingJobs(models);
  const resolution = resolveUpstream(names.map((name) => trainingJobArtifacts(name, lookup(name))));
  if (resolution.type !== 'ready') return resolution;
  return { type: 'ready', artifacts: new Map(names.map((name, i) => [name, resolution.uris[i] ?? ''])) };
}

/**
 * The CreateModel request for a model, without its name and tags, each modelDataFrom resolved to
 * the referenced job's artifacts (`artifacts`, by TrainingJob name) and each registry source to its
 * version's ARN (`packages`, by ModelPackageSource key).
 */
export function modelContent(
  model: ModelSpec,
  artifacts: ReadonlyMap<string, string>,
  packages: ReadonlyMap<string, string> = new Map(),
): Omit<CreateModelInput, 'ModelName'> {
  const resolved = (container: ContainerSpec): ContainerSpec => {
    const source = packageSourceOf(container);
    if (source) {
      const arn = packages.get(source.key);
      if (arn === undefined) throw new Error(`no model package version known for ${source.key}`);
      return { ...container, modelPackageName: arn };
    }
    if (!container.modelDataFrom) return container;
    const job = container.modelDataFrom.trainingJobRef.name;
    const url = artifacts.get(job);
    if (url === undefined) throw new Error(`no model artifacts known for TrainingJob ${job}`);
    return { ...container, modelDataUrl: url };
  };
  const withArtifacts = {
    ...model,
    primaryContainer: model.primaryContainer && resolved(model.primaryContainer),
    containers: model.containers?.map(resolved),
  };
  return toRequest(ModelShape, withArtifacts) as Omit<CreateModelInput, 'ModelName'>;
}

export function modelRef(resource: ManagedResource<unknown>, name: string): ResourceRef<DescribeModelOutput> {
  return {
    label: 'model',
    name,
    describe: () => resource.sagemaker.send(new DescribeModelCommand({ ModelName: name }), resource.cancel),
    arnOf: (d) => d.ModelArn,
  };
}

/** The model as it is (claimed), or created; 'notVisible' while it exists but cannot be described yet. */
export function ensureModel(
  resource: ManagedResource<unknown>,
  model: CreateModelInput,
): Promise<'present' | 'notVisible'> {
  return resource.ensure(modelRef(resource, model.ModelName ?? ''), () =>
    resource.sagemaker.send(new CreateModelCommand(model), resource.cancel),
  );
}

/** Deletes the model if it exists and carries this object's tags. */
export async function deleteModelIfOwned(resource: ManagedResource<unknown>, name: string): Promise<void> {
  const arn = (await resource.find(modelRef(resource, name)))?.ModelArn;
  if (arn && (await resource.owns(arn)))
    await resource.sagemaker.send(new DeleteModelCommand({ ModelName: name }), resource.cancel);
}

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
 * the referenced job's artifacts (`artifacts`, by TrainingJob name).
 */
export function modelContent(
  model: ModelSpec,
  artifacts: ReadonlyMap<string, string>,
): Omit<CreateModelInput, 'ModelName'> {
  const resolved = (container: ContainerSpec): ContainerSpec => {
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

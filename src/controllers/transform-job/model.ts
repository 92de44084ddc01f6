import { derivedName } from '../../aws/naming.js';
import type { TransformJobSpec, TransformJobStatus } from '../../crds/transform-job.js';
import type { JobContext, Preparation } from '../common/job-lifecycle.js';
import { deleteModelIfOwned, ensureModel, modelContent, resolveArtifacts } from '../common/models.js';
import type { TrainingJobOutcome } from '../common/upstream.js';
import { including } from '../common/managed-resource.js';

type TransformJob = JobContext<TransformJobSpec, TransformJobStatus>;

/**
 * The SageMaker model the job runs: spec.modelName, or spec.model created for it, named after the
 * job and its content (so a restart finds it again) and recorded in status before it is created.
 */
export async function preparedModel(
  job: TransformJob,
  trainingJob: (name: string) => TrainingJobOutcome | undefined,
): Promise<Preparation<string>> {
  const { spec } = job.obj;
  if (spec.modelName !== undefined) return { type: 'ready', value: spec.modelName };
  if (!spec.model) return { type: 'invalid', message: 'set modelName or model' };
  const resolution = resolveArtifacts([spec.model], trainingJob);
  if (resolution.type !== 'ready') return resolution;
  const content = modelContent(spec.model, resolution.artifacts);
  const jobName = job.resource.name;
  const name = derivedName(jobName, { transformJobName: jobName, content });
  const { status } = job.ctx;
  const created = including(status.current.createdModelNames, [name]);
  if (created.length !== status.current.createdModelNames?.length) {
    status.set({ createdModelNames: created });
    await status.flush();
  }
  const ensured = await ensureModel(job.resource, { ...content, ModelName: name, Tags: job.resource.tags });
  return ensured === 'present' ? { type: 'ready', value: name } : { type: 'notVisible' };
}

/** Deletes the models created for the job that still carry its tags. */
export async function releaseModels(job: TransformJob): Promise<void> {
  const names = job.ctx.status.current.createdModelNames ?? [];
  for (const name of names) await deleteModelIfOwned(job.resource, name);
  if (names.length > 0) job.ctx.status.set({ createdModelNames: [] });
}

import { MODEL_NAME_PATTERN, type MultiModelSetSpec } from '../../crds/multi-model-set.js';
import type { TrainingJobStatus } from '../../crds/training-job.js';

/** What the set's controller reads of a TrainingJob object. */
export interface TrainingJobView {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string | Date };
  status?: TrainingJobStatus;
}

type Selector = NonNullable<MultiModelSetSpec['trainingJobSelector']>;

/**
 * Where each model's artifact comes from, as far as can be told now:
 * - `sources`: name → S3 URI of the artifact;
 * - `waiting`: name → why it has none yet (its TrainingJob has not completed);
 * - `invalid`: name → why it can never have one as declared (a label value that is no model name).
 */
export interface DesiredModels {
  readonly sources: ReadonlyMap<string, string>;
  readonly waiting: ReadonlyMap<string, string>;
  readonly invalid: ReadonlyMap<string, string>;
}

/** Whether labels satisfy a metav1.LabelSelector's matchLabels and matchExpressions. */
export function selects(selector: Selector, labels: Readonly<Record<string, string>> = {}): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every((requirement) => {
      const value = labels[requirement.key];
      const values = requirement.values ?? [];
      switch (requirement.operator) {
        case 'In':
          return value !== undefined && values.includes(value);
        case 'NotIn':
          return value === undefined || !values.includes(value);
        case 'Exists':
          return value !== undefined;
        case 'DoesNotExist':
          return value === undefined;
      }
    })
  );
}

const completedArtifact = (job: TrainingJobView | undefined): string | undefined =>
  job?.status?.trainingJobStatus === 'Completed' ? job.status.modelArtifacts?.s3ModelArtifacts : undefined;

const finishedAt = (job: TrainingJobView): number =>
  new Date(job.status?.trainingEndTime ?? job.metadata.creationTimestamp ?? 0).getTime();

const modelNamePattern = new RegExp(MODEL_NAME_PATTERN);

/**
 * The models of a spec. models[] wins over a selected job of the same name; of several Completed
 * jobs selected under one name, the one that finished last (then the later name) is served, so a
 * retrained model replaces the old one without editing the set.
 */
export function desiredModels(
  spec: MultiModelSetSpec,
  trainingJob: (name: string) => TrainingJobView | undefined,
  namespaceJobs: readonly TrainingJobView[],
): DesiredModels {
  const sources = new Map<string, string>();
  const waiting = new Map<string, string>();
  const invalid = new Map<string, string>();
  for (const model of spec.models ?? []) {
    if (model.s3Uri !== undefined) {
      sources.set(model.name, model.s3Uri);
      continue;
    }
    const jobName = model.trainingJobRef?.name ?? '';
    const artifact = completedArtifact(trainingJob(jobName));
    if (artifact !== undefined) sources.set(model.name, artifact);
    else waiting.set(model.name, `waiting for TrainingJob ${jobName} to complete`);
  }
  const selector = spec.trainingJobSelector;
  if (!selector) return { sources, waiting, invalid };
  const listed = new Set((spec.models ?? []).map((m) => m.name));
  const latest = new Map<string, TrainingJobView>();
  for (const job of namespaceJobs) {
    if (completedArtifact(job) === undefined || !selects(selector, job.metadata.labels)) continue;
    const name = selector.modelNameLabel ? job.metadata.labels?.[selector.modelNameLabel] : job.metadata.name;
    if (name === undefined || listed.has(name)) continue;
    if (!modelNamePattern.test(name)) {
      invalid.set(
        name,
        `TrainingJob ${job.metadata.name} names model "${name}", which is not a valid model name (${MODEL_NAME_PATTERN})`,
      );
      continue;
    }
    const current = latest.get(name);
    const later =
      !current ||
      finishedAt(job) > finishedAt(current) ||
      (finishedAt(job) === finishedAt(current) && job.metadata.name > current.metadata.name);
    if (later) latest.set(name, job);
  }
  for (const [name, job] of latest) sources.set(name, completedArtifact(job) ?? '');
  return { sources, waiting, invalid };
}

/** TrainingJobs a spec names in models[] (selected ones are found through the selector). */
export function referencedTrainingJobs(spec: MultiModelSetSpec): string[] {
  return [...new Set((spec.models ?? []).flatMap((m) => (m.trainingJobRef ? [m.trainingJobRef.name] : [])))];
}

import { MODEL_NAME_PATTERN, type MultiModelSetSpec } from '../../crds/multi-model-set.js';
import type { InputRecord, S3UriFrom } from '../../crds/references.js';
import type { TrainingJobStatus } from '../../crds/training-job.js';
import { sourceUpstream, type Upstream, type UpstreamJobs } from '../common/upstream.js';

/** What the set's controller reads of a TrainingJob object. */
export interface TrainingJobView {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string | Date };
  status?: TrainingJobStatus;
}

type Selector = NonNullable<MultiModelSetSpec['trainingJobSelector']>;

/** Why a model's newest TrainingJob gave it no artifact: `reason` is one CamelCase word. */
export interface JobFailure {
  readonly reason: string;
  readonly message: string;
}

/** What a job's object reports of how it ended. */
export interface JobOutcome {
  failureReason?: string | undefined;
  conditions?: readonly { type: string; status: string; reason: string; message: string }[] | undefined;
}

/**
 * The job a model's s3UriFrom names, as its object reports it: what it produced (sourceUpstream),
 * why it never will (`failure`), and `revision`, which changes when the object is applied anew (a
 * job run again may write the same URI with new content).
 */
export interface ModelUpstream extends Upstream {
  readonly failure?: JobFailure | undefined;
  readonly revision?: string | undefined;
}

/**
 * Where each model's artifact comes from, as far as can be told now:
 * - `sources`: name → S3 URI of the artifact;
 * - `waiting`: name → why it has none yet (its job is still running, or not there yet);
 * - `invalid`: name → why it can never have one as declared (a label value that is no model name);
 * - `failedJobs`: name → why its newest TrainingJob (or the job of its s3UriFrom) produced nothing
 *   (Failed, Stopped, rejected). Such a model keeps serving what an earlier job produced, if any; a
 *   new job is the way forward.
 * - `revisions`: source URI → the revision of the job that wrote it (s3UriFrom models): a new one
 *   means new content may lie under the same URI;
 * - `inputs`: what the s3UriFrom models read (lineage), in the order of models[], the first
 *   MAX_INPUTS_IN_STATUS.
 */
export interface DesiredModels {
  readonly sources: ReadonlyMap<string, string>;
  readonly waiting: ReadonlyMap<string, string>;
  readonly invalid: ReadonlyMap<string, string>;
  readonly failedJobs: ReadonlyMap<string, JobFailure>;
  readonly revisions: ReadonlyMap<string, string>;
  readonly inputs: readonly InputRecord[];
}

/** Lineage records status holds at most, so that it stays small whatever the number of models. */
export const MAX_INPUTS_IN_STATUS = 50;

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

/**
 * Why a job (`kind`, `name`, in SageMaker's `state`) will never produce what is read of it, or
 * undefined while it still may (`produced`: it did).
 */
export function upstreamFailure(
  kind: string,
  name: string,
  state: string | undefined,
  outcome: JobOutcome | undefined,
  produced: boolean,
): JobFailure | undefined {
  if (state === 'Failed' || state === 'Stopped') {
    const why = outcome?.failureReason ? `: ${outcome.failureReason}` : '';
    return { reason: `${kind}${state}`, message: `${kind} ${name} ${state}${why}` };
  }
  // Rejected before SageMaker ran it (an invalid spec, a policy): stalled until its spec changes.
  const stalled = outcome?.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
  if (stalled && !produced) return { reason: stalled.reason, message: `${kind} ${name}: ${stalled.message}` };
  return undefined;
}

/** A job's object as the cache holds it: its uid, and how the job ended. */
export type JobObjectOf = (
  kind: string,
  name: string,
) => { metadata?: { uid?: string | undefined }; status?: JobOutcome | undefined } | undefined;

/** The job a model's s3UriFrom names, as the namespace's job objects report it. */
export function modelUpstream(source: S3UriFrom, jobs: UpstreamJobs, objectOf: JobObjectOf): ModelUpstream {
  const upstream = sourceUpstream(source, jobs);
  const job = objectOf(upstream.kind, upstream.name);
  const produced = upstream.state === 'Completed' && upstream.uri !== undefined;
  return {
    ...upstream,
    failure: upstreamFailure(upstream.kind, upstream.name, upstream.state, job?.status, produced),
    revision: job?.metadata?.uid,
  };
}

/** Why a TrainingJob will never produce an artifact, or undefined while it still may. */
function jobFailure(job: TrainingJobView): JobFailure | undefined {
  const { metadata, status } = job;
  const produced = completedArtifact(job) !== undefined;
  return upstreamFailure('TrainingJob', metadata.name, status?.trainingJobStatus, status, produced);
}

const time = (at: string | Date | undefined): number => new Date(at ?? 0).getTime();
const finishedAt = (job: TrainingJobView): number =>
  time(job.status?.trainingEndTime ?? job.metadata.creationTimestamp);
const createdAt = (job: TrainingJobView): number => time(job.metadata.creationTimestamp);

/** The later of two jobs by `at`, then by name (jobs applied together share a creation second). */
function later(at: (job: TrainingJobView) => number, a: TrainingJobView | undefined, b: TrainingJobView) {
  if (!a) return b;
  return at(b) > at(a) || (at(b) === at(a) && b.metadata.name > a.metadata.name) ? b : a;
}

const modelNamePattern = new RegExp(MODEL_NAME_PATTERN);

/** The jobs selected under one model name. */
interface Candidates {
  /** The Completed one that finished last: its artifact is served. */
  completed?: TrainingJobView;
  /** The newest one still running (or not started): the model waits for it if nothing is served. */
  running?: TrainingJobView;
  /** The one created last: if it failed, the model's owner should know. */
  newest?: TrainingJobView;
}

/**
 * The models of a spec. models[] wins over a selected job of the same name. Of several jobs selected
 * under one name, the Completed one that finished last (then the later name) is served, so a
 * retrained model replaces the old one without editing the set, and a retrain still running does not
 * hold it back. A name no job has completed for waits while one of its jobs runs. A failed job is
 * reported when it is the newest of its name, and holds back nothing but itself.
 */
export function desiredModels(
  spec: MultiModelSetSpec,
  trainingJob: (name: string) => TrainingJobView | undefined,
  namespaceJobs: readonly TrainingJobView[],
  upstreamOf: (source: S3UriFrom) => ModelUpstream,
): DesiredModels {
  const sources = new Map<string, string>();
  const waiting = new Map<string, string>();
  const invalid = new Map<string, string>();
  const failedJobs = new Map<string, JobFailure>();
  const revisions = new Map<string, string>();
  const inputs = new Map<string, InputRecord>();
  for (const model of spec.models ?? []) {
    if (model.s3Uri !== undefined) {
      sources.set(model.name, model.s3Uri);
      continue;
    }
    if (model.s3UriFrom) {
      const job = upstreamOf(model.s3UriFrom);
      const label = `${job.kind} ${job.name}`;
      if (job.problem) failedJobs.set(model.name, { reason: 'InvalidSpec', message: job.problem });
      else if (job.state === 'Completed' && job.uri !== undefined) {
        sources.set(model.name, job.uri);
        if (job.revision !== undefined) revisions.set(job.uri, job.revision);
        inputs.set(`${label}/${job.uri}`, inputOf(job, job.uri));
      } else if (job.failure) failedJobs.set(model.name, job.failure);
      else waiting.set(model.name, `waiting for ${label} to complete`);
      continue;
    }
    const jobName = model.trainingJobRef?.name ?? '';
    const job = trainingJob(jobName);
    const artifact = completedArtifact(job);
    const failure = job && jobFailure(job);
    if (artifact !== undefined) sources.set(model.name, artifact);
    else if (failure) failedJobs.set(model.name, failure);
    else waiting.set(model.name, `waiting for TrainingJob ${jobName} to complete`);
  }
  const lineage = [...inputs.values()].slice(0, MAX_INPUTS_IN_STATUS);
  const found = { sources, waiting, invalid, failedJobs, revisions, inputs: lineage };
  const selector = spec.trainingJobSelector;
  if (!selector) return found;
  const listed = new Set((spec.models ?? []).map((m) => m.name));
  const byName = new Map<string, Candidates>();
  for (const job of namespaceJobs) {
    if (!selects(selector, job.metadata.labels)) continue;
    const name = selector.modelNameLabel ? job.metadata.labels?.[selector.modelNameLabel] : job.metadata.name;
    if (name === undefined || listed.has(name)) continue;
    if (!modelNamePattern.test(name)) {
      invalid.set(
        name,
        `TrainingJob ${job.metadata.name} names model "${name}", which is not a valid model name (${MODEL_NAME_PATTERN})`,
      );
      continue;
    }
    const candidates = byName.get(name) ?? {};
    byName.set(name, candidates);
    candidates.newest = later(createdAt, candidates.newest, job);
    if (completedArtifact(job) !== undefined)
      candidates.completed = later(finishedAt, candidates.completed, job);
    else if (!jobFailure(job)) candidates.running = later(createdAt, candidates.running, job);
  }
  for (const [name, { completed, running, newest }] of byName) {
    if (completed) sources.set(name, completedArtifact(completed) ?? '');
    else if (running) {
      waiting.set(name, `waiting for TrainingJob ${running.metadata.name} to complete`);
      continue;
    }
    const failure = newest && jobFailure(newest);
    if (failure)
      failedJobs.set(name, {
        reason: failure.reason,
        message: completed
          ? `${failure.message}; serving the model of TrainingJob ${completed.metadata.name}`
          : failure.message,
      });
  }
  return found;
}

function inputOf(job: Upstream, uri: string): InputRecord {
  return {
    kind: job.kind,
    name: job.name,
    ...(job.output === undefined ? {} : { output: job.output }),
    uri,
    ...(job.jobName === undefined ? {} : { jobName: job.jobName }),
  };
}

/** TrainingJobs a spec names in models[] (selected ones are found through the selector). */
export function referencedTrainingJobs(spec: MultiModelSetSpec): string[] {
  return [...new Set((spec.models ?? []).flatMap((m) => (m.trainingJobRef ? [m.trainingJobRef.name] : [])))];
}

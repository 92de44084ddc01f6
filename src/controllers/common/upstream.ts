/**
 * A job another object takes an S3 URI from (a TrainingJob's artifacts, a ProcessingJob's output),
 * as the job's object in the cache reports it.
 */
export interface Upstream {
  /** How messages name it: `TrainingJob train`. */
  readonly label: string;
  /** Whether its object exists. */
  readonly found: boolean;
  /** SageMaker's state of the job, as its object's status mirrors it. */
  readonly state: string | undefined;
  /** The URI, once the job has Completed. */
  readonly uri: string | undefined;
  /** What a failed or stopped job will never produce: `model artifacts`. */
  readonly produces: string;
  /** Why the reference can never be satisfied as written (an output the job does not have). */
  readonly problem?: string | undefined;
}

export type UpstreamResolution =
  | { type: 'ready'; uris: string[] }
  | { type: 'waiting'; message: string }
  | { type: 'invalid'; message: string };

/**
 * The URIs of the upstream jobs, in order, once every one has Completed. A job that failed or
 * stopped will never produce them: the referrer's spec must change (terminal, so Stalled names it).
 */
export function resolveUpstream(upstream: readonly Upstream[]): UpstreamResolution {
  const waiting: string[] = [];
  const uris: string[] = [];
  for (const job of upstream) {
    if (job.problem) return { type: 'invalid', message: job.problem };
    if (job.state === 'Failed' || job.state === 'Stopped')
      return { type: 'invalid', message: `${job.label} is ${job.state}: it will produce no ${job.produces}` };
    if (job.state === 'Completed' && job.uri) uris.push(job.uri);
    else waiting.push(`${job.label} (${job.found ? (job.state ?? 'not started') : 'not found'})`);
  }
  if (waiting.length > 0)
    return { type: 'waiting', message: `waiting for ${waiting.join(', ')} to complete` };
  return { type: 'ready', uris };
}

/** What a TrainingJob object reports that its referrers read. */
export interface TrainingJobOutcome {
  trainingJobStatus?: string;
  modelArtifacts?: { s3ModelArtifacts?: string };
}

/** A TrainingJob's model artifacts (undefined status: no such object). */
export function trainingJobArtifacts(name: string, status: TrainingJobOutcome | undefined): Upstream {
  return {
    label: `TrainingJob ${name}`,
    found: status !== undefined,
    state: status?.trainingJobStatus,
    uri: status?.modelArtifacts?.s3ModelArtifacts,
    produces: 'model artifacts',
  };
}

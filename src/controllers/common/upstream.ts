import type { ProcessingJobSpec, ProcessingJobStatus } from '../../crds/processing-job.js';
import type { InputRecord, S3UriFrom } from '../../crds/references.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../crds/training-job.js';
import type { TransformJobStatus } from '../../crds/transform-job.js';

/**
 * A job another object takes an S3 URI from (a TrainingJob's artifacts, a ProcessingJob's output),
 * as the job's object in the cache reports it.
 */
export interface Upstream {
  /** The kind and name of its object: how messages and lineage name it. */
  readonly kind: string;
  readonly name: string;
  /** What of it is read: ModelArtifacts, OutputPath, an output's name. */
  readonly output?: string | undefined;
  /** Whether its object exists. */
  readonly found: boolean;
  /** SageMaker's state of the job, as its object's status mirrors it. */
  readonly state: string | undefined;
  /** The URI, once the job has Completed. */
  readonly uri: string | undefined;
  /** The SageMaker job, once its object recorded it. */
  readonly jobName?: string | undefined;
  /** What a failed or stopped job will never produce: `model artifacts`. */
  readonly produces: string;
  /** Why the reference can never be satisfied as written (an output the job does not have). */
  readonly problem?: string | undefined;
}

export type UpstreamResolution =
  | { type: 'ready'; uris: string[]; inputs: InputRecord[] }
  | { type: 'waiting'; message: string }
  | { type: 'invalid'; message: string };

const labelOf = (job: Pick<Upstream, 'kind' | 'name'>): string => `${job.kind} ${job.name}`;

/**
 * The URIs of the upstream jobs, in order, once every one has Completed, and what was read of each
 * (lineage). A job that failed or stopped will never produce them: the referrer's spec must change
 * (terminal, so Stalled names it).
 */
export function resolveUpstream(upstream: readonly Upstream[]): UpstreamResolution {
  const waiting: string[] = [];
  const uris: string[] = [];
  for (const job of upstream) {
    if (job.problem) return { type: 'invalid', message: job.problem };
    if (job.state === 'Failed' || job.state === 'Stopped')
      return {
        type: 'invalid',
        message: `${labelOf(job)} is ${job.state}: it will produce no ${job.produces}`,
      };
    if (job.state === 'Completed' && job.uri) uris.push(job.uri);
    else waiting.push(`${labelOf(job)} (${job.found ? (job.state ?? 'not started') : 'not found'})`);
  }
  if (waiting.length > 0)
    return { type: 'waiting', message: `waiting for ${waiting.join(', ')} to complete` };
  const inputs = upstream.map((job, i) => ({
    kind: job.kind,
    name: job.name,
    ...(job.output === undefined ? {} : { output: job.output }),
    uri: uris[i] ?? '',
    ...(job.jobName === undefined ? {} : { jobName: job.jobName }),
  }));
  return { type: 'ready', uris, inputs: uniqueInputs(inputs) };
}

function uniqueInputs(inputs: InputRecord[]): InputRecord[] {
  return [...new Map(inputs.map((input) => [`${input.kind}/${input.name}/${input.uri}`, input])).values()];
}

/** What a TrainingJob object reports that its referrers read. */
export interface TrainingJobOutcome {
  trainingJobName?: string;
  trainingJobStatus?: string;
  modelArtifacts?: { s3ModelArtifacts?: string };
  finalMetricDataList?: TrainingJobStatus['finalMetricDataList'];
}

/** A TrainingJob's model artifacts (undefined status: no such object). */
export function trainingJobArtifacts(name: string, status: TrainingJobOutcome | undefined): Upstream {
  return {
    kind: 'TrainingJob',
    name,
    output: 'ModelArtifacts',
    found: status !== undefined,
    state: status?.trainingJobStatus,
    uri: status?.modelArtifacts?.s3ModelArtifacts,
    jobName: status?.trainingJobName,
    produces: 'model artifacts',
  };
}

/** The jobs of a namespace, as their objects in the cache hold them (undefined: no such object). */
export interface UpstreamJobs {
  trainingJob(
    name: string,
  ): { spec: Pick<TrainingJobSpec, 'outputDataConfig'>; status?: TrainingJobOutcome | undefined } | undefined;
  processingJob(name: string):
    | {
        spec: Pick<ProcessingJobSpec, 'processingOutputConfig'>;
        status?:
          Pick<ProcessingJobStatus, 'processingJobName' | 'processingJobStatus' | 'outputs'> | undefined;
      }
    | undefined;
  transformJob(name: string):
    | {
        status?:
          Pick<TransformJobStatus, 'transformJobName' | 'transformJobStatus' | 'outputPath'> | undefined;
      }
    | undefined;
}

/** `<uri>/<path>`, with one slash between them. */
export function underUri(uri: string, path: string | undefined): string {
  if (path === undefined) return uri;
  return `${uri.replace(/\/+$/, '')}/${path}`;
}

/** A TrainingJob's own folder under its output path: `<s3OutputPath>/<trainingJobName>/`. */
function trainingJobFolder(job: ReturnType<UpstreamJobs['trainingJob']>): string | undefined {
  const outputPath = job?.spec.outputDataConfig.s3OutputPath;
  const jobName = job?.status?.trainingJobName;
  return outputPath && jobName ? `${underUri(outputPath, jobName)}/` : undefined;
}

/** The upstream an s3UriFrom names, its URI with the sub-path applied. */
export function sourceUpstream(source: S3UriFrom, jobs: UpstreamJobs): Upstream {
  const upstream = namedUpstream(source, jobs);
  return { ...upstream, uri: upstream.uri && underUri(upstream.uri, source.path) };
}

function namedUpstream(source: S3UriFrom, jobs: UpstreamJobs): Upstream {
  if (source.trainingJobRef) {
    const { name, output = 'ModelArtifacts' } = source.trainingJobRef;
    const job = jobs.trainingJob(name);
    if (output === 'ModelArtifacts') return trainingJobArtifacts(name, job?.status);
    return {
      ...trainingJobArtifacts(name, job?.status),
      output,
      uri: trainingJobFolder(job),
      produces: 'output',
    };
  }
  if (source.transformJobRef) {
    const { name } = source.transformJobRef;
    const status = jobs.transformJob(name)?.status;
    return {
      kind: 'TransformJob',
      name,
      output: 'OutputPath',
      found: jobs.transformJob(name) !== undefined,
      state: status?.transformJobStatus,
      uri: status?.outputPath,
      jobName: status?.transformJobName,
      produces: 'output',
    };
  }
  const { name, outputName } = source.processingJobRef ?? { name: '', outputName: '' };
  const job = jobs.processingJob(name);
  const declared = job?.spec.processingOutputConfig?.outputs.some((o) => o.outputName === outputName);
  return {
    kind: 'ProcessingJob',
    name,
    output: outputName,
    found: job !== undefined,
    state: job?.status?.processingJobStatus,
    uri: job?.status?.outputs?.find((o) => o.outputName === outputName)?.s3Uri,
    jobName: job?.status?.processingJobName,
    produces: `output ${outputName}`,
    problem: job && !declared ? `ProcessingJob ${name} has no output named ${outputName}` : undefined,
  };
}

type Json = unknown;

/**
 * The members that name where an S3 URI comes from, and the member each resolves to: any S3 input's
 * s3UriFrom, and a model container's modelDataFrom (a TrainingJob's artifacts).
 */
const RESOLVED_MEMBERS: Readonly<Record<string, string>> = {
  s3UriFrom: 's3Uri',
  modelDataFrom: 'modelDataUrl',
};

/** Every s3UriFrom (and modelDataFrom) in a spec, in document order. */
export function uriSources(spec: Json): S3UriFrom[] {
  if (Array.isArray(spec)) return spec.flatMap(uriSources);
  if (spec === null || typeof spec !== 'object') return [];
  return Object.entries(spec).flatMap(([key, value]) =>
    key in RESOLVED_MEMBERS ? [value as S3UriFrom] : uriSources(value),
  );
}

/** The spec with every source replaced by the URI it resolved to (`uris`, by source). */
function withUris<T>(spec: T, uris: ReadonlyMap<S3UriFrom, string>): T {
  if (Array.isArray(spec)) return spec.map((item: unknown) => withUris(item, uris)) as T;
  if (spec === null || typeof spec !== 'object') return spec;
  const entries = Object.entries(spec).map(([key, value]): [string, unknown] => {
    const resolved = RESOLVED_MEMBERS[key];
    return resolved === undefined ? [key, withUris(value, uris)] : [resolved, uris.get(value as S3UriFrom)];
  });
  return Object.fromEntries(entries) as T;
}

export type ResolvedSpec<T> =
  { type: 'ready'; spec: T; inputs: InputRecord[] } | Exclude<UpstreamResolution, { type: 'ready' }>;

/** The spec as SageMaker gets it, every s3UriFrom resolved, once all the jobs it names have Completed. */
export function resolveUriSources<T>(spec: T, jobs: UpstreamJobs): ResolvedSpec<T> {
  const sources = uriSources(spec);
  const resolution = resolveUpstream(sources.map((source) => sourceUpstream(source, jobs)));
  if (resolution.type !== 'ready') return resolution;
  const uris = new Map(sources.map((source, i) => [source, resolution.uris[i] ?? '']));
  return { type: 'ready', spec: withUris(spec, uris), inputs: resolution.inputs };
}

import type { ProcessingJobSpec, ProcessingJobStatus } from '../../crds/processing-job.js';
import type { Preparation } from '../common/job-lifecycle.js';
import {
  resolveUpstream,
  trainingJobArtifacts,
  type TrainingJobOutcome,
  type Upstream,
} from '../common/upstream.js';
import type { ProcessingInputs } from './request.js';

type Input = ProcessingInputs[number];
type UriSource = NonNullable<NonNullable<Input['s3Input']>['s3UriFrom']>;

/** What a referenced ProcessingJob object holds: its spec's outputs and its status. */
export interface ProcessingJobOutcome {
  spec: Pick<ProcessingJobSpec, 'processingOutputConfig'>;
  status?: Pick<ProcessingJobStatus, 'processingJobStatus' | 'outputs'> | undefined;
}

export interface Upstreams {
  trainingJob(name: string): TrainingJobOutcome | undefined;
  processingJob(name: string): ProcessingJobOutcome | undefined;
}

function sourcesOf(spec: ProcessingJobSpec): UriSource[] {
  return (spec.processingInputs ?? []).flatMap((input) => input.s3Input?.s3UriFrom ?? []);
}

/** The objects the inputs refer to, by kind. */
export function referencedJobs(spec: ProcessingJobSpec): {
  trainingJobs: string[];
  processingJobs: string[];
} {
  const sources = sourcesOf(spec);
  return {
    trainingJobs: [...new Set(sources.flatMap((s) => (s.trainingJobRef ? [s.trainingJobRef.name] : [])))],
    processingJobs: [
      ...new Set(sources.flatMap((s) => (s.processingJobRef ? [s.processingJobRef.name] : []))),
    ],
  };
}

function upstreamOf(source: UriSource, upstreams: Upstreams): Upstream {
  if (source.trainingJobRef) {
    const { name } = source.trainingJobRef;
    return trainingJobArtifacts(name, upstreams.trainingJob(name));
  }
  const { name, outputName } = source.processingJobRef ?? { name: '', outputName: '' };
  const job = upstreams.processingJob(name);
  const declared = job?.spec.processingOutputConfig?.outputs.some((o) => o.outputName === outputName);
  return {
    label: `ProcessingJob ${name}`,
    found: job !== undefined,
    state: job?.status?.processingJobStatus,
    uri: job?.status?.outputs?.find((o) => o.outputName === outputName)?.s3Uri,
    produces: `output ${outputName}`,
    problem: job && !declared ? `ProcessingJob ${name} has no output named ${outputName}` : undefined,
  };
}

/** The inputs with every s3UriFrom replaced by the s3Uri it names, once all those jobs have Completed. */
export function resolvedInputs(spec: ProcessingJobSpec, upstreams: Upstreams): Preparation<ProcessingInputs> {
  const inputs = spec.processingInputs ?? [];
  const sources = sourcesOf(spec);
  const resolution = resolveUpstream(sources.map((source) => upstreamOf(source, upstreams)));
  if (resolution.type !== 'ready') return resolution;
  const uris = new Map(sources.map((source, i) => [source, resolution.uris[i] ?? '']));
  return {
    type: 'ready',
    value: inputs.map((input) => {
      const from = input.s3Input?.s3UriFrom;
      if (!input.s3Input || !from) return input;
      const { s3UriFrom: _from, ...s3Input } = input.s3Input;
      return { ...input, s3Input: { ...s3Input, s3Uri: uris.get(from) } };
    }),
  };
}

import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri, readDocument } from '../../aws/s3-artifacts.js';
import { ALL_KINDS } from '../../crds/index.js';
import type { ProcessingJobSpec, ProcessingJobStatus } from '../../crds/processing-job.js';
import type { Gate, GateRecord, InputRecord } from '../../crds/references.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../crds/training-job.js';
import type { TransformJobStatus } from '../../crds/transform-job.js';
import {
  awaitChange,
  findCondition,
  requeueAfter,
  type ReconcileResult,
  ReconcileError,
  type CacheReader,
  type Condition,
  type KindDescriptor,
  type KubeObject,
  type Reference,
} from '../../runtime/index.js';
import { invalidSpec, waitForReference } from './conditions.js';
import { evaluateGate, gateSource, unmetMessage, valueAt } from './gates.js';
import { descriptorOf } from '../../crds/kind.js';
import { resolveUriSources, sourceUpstream, underUri, uriSources, type UpstreamJobs } from './upstream.js';

/*
 * What must hold before an object's first create: the objects it depends on are Ready, the jobs
 * its S3 inputs come from have Completed (their URIs resolved into the spec), and its gates are met.
 */

interface Prerequisite {
  dependsOn?: { kind: string; name: string }[];
  when?: Gate[];
}

interface StoredObject<Spec = unknown, Status = unknown> extends KubeObject {
  spec: Spec;
  status?: Status & { conditions?: Condition[] };
}

const KINDS = new Map(
  ALL_KINDS.map((definition) => [definition.kind, descriptorOf<StoredObject>(definition)]),
);
const JOB_KINDS = new Set(['TrainingJob', 'ProcessingJob', 'TransformJob']);

function kindOf(kind: string): KindDescriptor<StoredObject> {
  const descriptor = KINDS.get(kind);
  if (!descriptor) throw new Error(`no such kind: ${kind}`);
  return descriptor;
}

/** The jobs of `namespace` as the cache holds them. */
export function upstreamJobs(cache: CacheReader, namespace: string): UpstreamJobs {
  const get = <Spec, Status>(kind: string, name: string) =>
    cache.get(kindOf(kind), namespace, name) as StoredObject<Spec, Status> | undefined;
  return {
    trainingJob: (name) => get<TrainingJobSpec, TrainingJobStatus>('TrainingJob', name),
    processingJob: (name) => get<ProcessingJobSpec, ProcessingJobStatus>('ProcessingJob', name),
    transformJob: (name) => get<unknown, TransformJobStatus>('TransformJob', name),
  };
}

/**
 * `waiting` for objects to change (their changes reconcile this one), or with `recheck` for a
 * document in S3, which nothing announces.
 */
export type Prerequisites<Spec> =
  | { type: 'ready'; spec: Spec; inputs: InputRecord[]; gates: GateRecord[] }
  | { type: 'waiting'; message: string; recheck?: true }
  | { type: 'invalid'; message: string }
  | { type: 'gateNotMet'; message: string; gates: GateRecord[] };

type Unready = Exclude<Prerequisites<unknown>, { type: 'ready' | 'gateNotMet' }>;

/** Whether an object the spec depends on is Ready (a job: Succeeded), will never be, or not yet. */
function dependency(cache: CacheReader, namespace: string, kind: string, name: string): Unready | undefined {
  const obj = cache.get(kindOf(kind), namespace, name);
  const label = `${kind} ${name}`;
  if (!obj) return { type: 'waiting', message: `waiting for ${label} (not found)` };
  const conditions = obj.status?.conditions;
  const readyType = JOB_KINDS.has(kind) ? 'Succeeded' : 'Ready';
  const done = findCondition(conditions, readyType);
  if (done?.status === 'True') return undefined;
  const ready = findCondition(conditions, 'Ready');
  const why = ready?.message ? `: ${ready.message}` : '';
  if (
    (JOB_KINDS.has(kind) && done?.status === 'False') ||
    findCondition(conditions, 'Stalled')?.status === 'True'
  )
    return { type: 'invalid', message: `${label} failed${why}` };
  return {
    type: 'waiting',
    message: `waiting for ${label} to be ${readyType} (${ready?.reason ?? 'not reconciled yet'})`,
  };
}

/** What one gate reads: a job's final metric, or a value in a document a processing job wrote. */
async function readGate(
  gate: Gate,
  jobs: UpstreamJobs,
  read: (uri: string) => Promise<string | undefined>,
): Promise<{ type: 'read'; value: unknown; jobName?: string | undefined } | Unready> {
  const from = gate.jsonFrom;
  if (from.trainingJobRef) {
    const status = jobs.trainingJob(from.trainingJobRef.name)?.status;
    const upstream = sourceUpstream({ trainingJobRef: { name: from.trainingJobRef.name } }, jobs);
    if (status?.trainingJobStatus !== 'Completed') return notCompleted(upstream);
    const metric = status.finalMetricDataList?.find((m) => m.metricName === from.metricName);
    if (metric?.value === undefined)
      return {
        type: 'invalid',
        message: `TrainingJob ${from.trainingJobRef.name} reported no final metric ${from.metricName ?? ''}`,
      };
    return { type: 'read', value: metric.value, jobName: status.trainingJobName };
  }
  const ref = from.processingJobRef ?? { name: '', outputName: '' };
  const upstream = sourceUpstream({ processingJobRef: ref }, jobs);
  if (upstream.problem) return { type: 'invalid', message: upstream.problem };
  if (upstream.state !== 'Completed' || !upstream.uri) return notCompleted(upstream);
  const uri = underUri(upstream.uri, from.key);
  const text = await read(uri);
  if (text === undefined)
    return { type: 'waiting', message: `waiting for ${uri} (${gateSource(gate)}) to exist`, recheck: true };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { type: 'invalid', message: `${uri} (${gateSource(gate)}) is not JSON` };
  }
  const found = valueAt(document, gate.path ?? '');
  if (!found.found)
    return { type: 'invalid', message: `${uri} (${gateSource(gate)}) has nothing at ${gate.path ?? ''}` };
  return { type: 'read', value: found.value, jobName: upstream.jobName };
}

function notCompleted(upstream: ReturnType<typeof sourceUpstream>): Unready {
  const label = `${upstream.kind} ${upstream.name}`;
  if (upstream.state === 'Failed' || upstream.state === 'Stopped')
    return {
      type: 'invalid',
      message: `${label} is ${upstream.state}: it will produce no ${upstream.produces}`,
    };
  const state = upstream.found ? (upstream.state ?? 'not started') : 'not found';
  return { type: 'waiting', message: `waiting for ${label} (${state}) to complete` };
}

/**
 * The object's prerequisites, in order: what it depends on, the URIs its inputs come from, its
 * gates. Documents are read only once everything else is ready.
 */
export async function prerequisites<Spec>(
  obj: { metadata: { namespace: string }; spec: Spec },
  cache: CacheReader,
  read: (uri: string) => Promise<string | undefined>,
): Promise<Prerequisites<Spec>> {
  const { namespace } = obj.metadata;
  const spec = obj.spec as Spec & Prerequisite;
  for (const { kind, name } of spec.dependsOn ?? []) {
    const unready = dependency(cache, namespace, kind, name);
    if (unready) return unready;
  }
  const jobs = upstreamJobs(cache, namespace);
  const { dependsOn: _dependsOn, when = [], ...rest } = spec;
  const resolved = resolveUriSources(rest, jobs);
  if (resolved.type !== 'ready') return resolved;
  const gates: GateRecord[] = [];
  for (const gate of when) {
    const reading = await readGate(gate, jobs, read);
    if (reading.type !== 'read') return reading;
    gates.push(evaluateGate(gate, reading.value, reading.jobName));
  }
  const unmet = when.flatMap((gate, i) => (gates[i]?.met === false ? [unmetMessage(gate, gates[i])] : []));
  if (unmet.length > 0) return { type: 'gateNotMet', message: unmet.join('; '), gates };
  return { type: 'ready', spec: resolved.spec as Spec, inputs: resolved.inputs, gates };
}

/** Reads documents from S3 as the object's identity: a missing one is undefined. */
export function documentReader(
  s3: S3Client,
  signal: AbortSignal,
): (uri: string) => Promise<string | undefined> {
  return (uri) => readDocument(s3, parseS3Uri(uri), { abortSignal: signal });
}

interface StatusWriter {
  set(patch: Record<string, unknown>): void;
  setCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string): void;
}

/**
 * Status for prerequisites that do not hold: WaitingForReference (and the reconcile's end: at the
 * next change of what it waits for, or after `recheckMs` for a document), or (terminal, so Stalled
 * says it and one Warning event goes out) InvalidSpec or GateNotMet with the values the gates saw.
 * When they hold: the lineage recorded and the spec as SageMaker gets it.
 */
export function recordPrerequisites<Spec>(
  status: StatusWriter,
  result: Prerequisites<Spec>,
  recheckMs: number,
): { spec: Spec } | { result: ReconcileResult } {
  switch (result.type) {
    case 'ready':
      status.set({
        inputs: result.inputs.length > 0 ? result.inputs : undefined,
        gates: result.gates.length > 0 ? result.gates : undefined,
      });
      return { spec: result.spec };
    case 'gateNotMet':
      status.set({ gates: result.gates });
      status.setCondition('Ready', 'False', 'GateNotMet', result.message);
      throw new ReconcileError('terminal', 'GateNotMet', result.message);
    case 'waiting':
      waitForReference(status, result);
      return { result: result.recheck ? requeueAfter(recheckMs) : awaitChange };
    default:
      return invalidSpec(status, result.message);
  }
}

/** Names of `kind` an object's prerequisites refer to. */
function referencedNames(obj: StoredObject, kind: string): string[] {
  const spec = (obj.spec ?? {}) as Prerequisite;
  const fromUris = uriSources(spec).flatMap((source) => {
    const ref =
      kind === 'TrainingJob'
        ? source.trainingJobRef
        : kind === 'ProcessingJob'
          ? source.processingJobRef
          : kind === 'TransformJob'
            ? source.transformJobRef
            : undefined;
    return ref ? [ref.name] : [];
  });
  const fromGates = (spec.when ?? []).flatMap((gate) => {
    const ref =
      kind === 'TrainingJob'
        ? gate.jsonFrom.trainingJobRef
        : kind === 'ProcessingJob'
          ? gate.jsonFrom.processingJobRef
          : undefined;
    return ref ? [ref.name] : [];
  });
  const fromDependsOn = (spec.dependsOn ?? []).flatMap((d) => (d.kind === kind ? [d.name] : []));
  return [...new Set([...fromUris, ...fromGates, ...fromDependsOn])];
}

/** A change of any object an object's prerequisites name reconciles it at once. */
export const PREREQUISITE_REFERENCES: Reference<KubeObject>[] = ALL_KINDS.map((definition) => ({
  kind: descriptorOf(definition),
  names: (obj) => referencedNames(obj as unknown as StoredObject, definition.kind),
}));

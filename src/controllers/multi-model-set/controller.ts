import type { S3Client } from '@aws-sdk/client-s3';
import { desiredTags } from '../../aws/resource-tags.js';
import { parseS3Uri, prefixKey, type S3Location } from '../../aws/s3-artifacts.js';
import type { Owner, Tag } from '../../aws/tags.js';
import { endpointDescriptor } from '../../crds/endpoint.js';
import { descriptorOf } from '../../crds/kind.js';
import {
  multiModelSet,
  multiModelSetDescriptor,
  type MultiModelSetObject,
  type MultiModelSetStatus,
} from '../../crds/multi-model-set.js';
import { processingJob } from '../../crds/processing-job.js';
import type { S3UriFrom } from '../../crds/references.js';
import { trainingJob, trainingJobDescriptor } from '../../crds/training-job.js';
import { transformJob } from '../../crds/transform-job.js';
import {
  awaitChange,
  defineController,
  done,
  requeueAfter,
  type KubeObject,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import type { KindControllerOptions } from '../common/change-detection.js';
import { waitForReference } from '../common/conditions.js';
import { cachedScopeOf } from '../common/identity.js';
import { documentReader, prerequisites, recordPrerequisites, upstreamJobs } from '../common/prerequisites.js';
import type { MultiModelSettings, SetArtifacts } from './artifacts.js';
import { deleteArtifacts } from './cleanup.js';
import { currentTargets, presentArtifacts, putInPlace, type Failure } from './copies.js';
import {
  desiredModels,
  referencedTrainingJobs,
  selects,
  modelUpstream,
  type JobOutcome,
  type ModelUpstream,
} from './desired-models.js';
import { placement, TARGET_MODEL_PATTERN } from './layout.js';
import { SetMemories } from './memory.js';
import { resolvePrefix } from './prefix.js';
import { reportModels } from './report.js';
import { retag } from './retagging.js';
import { retire } from './retirement.js';
import { TargetsConfigMaps, targetsConfigMapName } from './targets-config-map.js';

export interface MultiModelSetControllerOptions extends KindControllerOptions {
  readonly multiModel: MultiModelSettings;
}

type Context = ReconcileContext<MultiModelSetStatus>;

/** A reconcile starts no new copy after this long; it records its progress and goes on in the next. */
const COPY_BUDGET_MS = 20_000;

/** A job object as a model's s3UriFrom reads how it ended. */
type JobObject = KubeObject & { status?: JobOutcome };
const JOB_DESCRIPTORS = new Map(
  [trainingJob, processingJob, transformJob].map((kind) => [kind.kind, descriptorOf<JobObject>(kind)]),
);

/**
 * Reconciles MultiModelSet objects with the artifacts under a multi-model endpoint's S3 prefix. It is
 * no SageMaker resource, so of the managed-resource skeleton only the ownership tags apply: every
 * copy carries them, and nothing without them is deleted.
 */
export function multiModelSetController(options: MultiModelSetControllerOptions) {
  const memories = new SetMemories();
  let configMaps: TargetsConfigMaps | undefined;
  const targets = (ctx: Context): TargetsConfigMaps => (configMaps ??= new TargetsConfigMaps(ctx.kubeConfig));
  return defineController<MultiModelSetObject, MultiModelSetStatus>({
    kind: multiModelSetDescriptor,
    reconcile: (ctx, obj) => {
      const live = new Set(ctx.cache.list(multiModelSetDescriptor).map((o) => o.metadata.uid));
      memories.forgetAllBut(live);
      configMaps?.forgetAllBut(live);
      return new MultiModelSetReconcile(options, ctx, obj, memories, targets(ctx)).apply();
    },
    finalize: (ctx, obj) => new MultiModelSetReconcile(options, ctx, obj, memories, targets(ctx)).cleanUp(),
    references: [
      { kind: endpointDescriptor, names: (obj) => (obj.spec.endpointRef ? [obj.spec.endpointRef.name] : []) },
      {
        kind: trainingJobDescriptor,
        names: (obj) => referencedTrainingJobs(obj.spec),
        selects: (obj, job) =>
          obj.spec.trainingJobSelector !== undefined &&
          selects(obj.spec.trainingJobSelector, job.metadata?.labels),
      },
    ],
  });
}

class MultiModelSetReconcile {
  private readonly s3: S3Client;
  private readonly owner: Owner;
  private readonly tags: Tag[];
  private readonly cancel: { abortSignal: AbortSignal };

  constructor(
    private readonly options: MultiModelSetControllerOptions,
    private readonly ctx: Context,
    private readonly obj: MultiModelSetObject,
    private readonly memories: SetMemories,
    private readonly configMaps: TargetsConfigMaps,
  ) {
    const { namespace, name, uid } = obj.metadata;
    this.s3 = options.aws.s3(cachedScopeOf(obj, ctx.cache, options));
    this.owner = { kind: multiModelSet.kind, namespace, name, uid, clusterName: options.clusterName };
    this.tags = desiredTags(this.owner, obj.spec.tags).map((t) => ({ Key: t.Key, Value: t.Value }));
    this.cancel = { abortSignal: ctx.signal };
  }

  private get settings(): MultiModelSettings {
    return this.options.multiModel;
  }

  async apply(): Promise<ReconcileResult> {
    const { namespace } = this.obj.metadata;
    const resolution = resolvePrefix(
      this.obj.spec,
      this.obj.spec.endpointRef &&
        this.ctx.cache.get(endpointDescriptor, namespace, this.obj.spec.endpointRef.name),
    );
    if (resolution.type !== 'found') {
      waitForReference(this.ctx.status, resolution);
      return awaitChange;
    }
    const waiting = await this.prerequisites();
    if (waiting) return waiting;
    const prefix = parseS3Uri(resolution.prefix);
    this.ctx.status.set({
      endpointName: resolution.endpointName,
      modelDataPrefix: resolution.prefix,
      targetModelPattern: TARGET_MODEL_PATTERN,
      targetsConfigMap: targetsConfigMapName(this.obj.metadata.name),
    });
    // Recorded before any copy: deletion finds the copies by it even when the Endpoint is gone.
    if (this.ctx.status.current.modelDataPrefix !== resolution.prefix) await this.ctx.status.flush();

    const desired = desiredModels(
      this.obj.spec,
      (name) => this.ctx.cache.get(trainingJobDescriptor, namespace, name),
      this.ctx.cache.list(trainingJobDescriptor, namespace),
      this.upstreamOf(),
    );
    this.ctx.status.set({ inputs: desired.inputs.length > 0 ? [...desired.inputs] : undefined });
    const memory = this.memories.of(this.obj.metadata.uid, resolution.prefix);
    // A job run again may have written new content under the URI read before: it is read again.
    for (const [uri, revision] of desired.revisions) {
      if (memory.sourceRevisions.get(uri) !== revision) memory.sources.delete(uri);
      memory.sourceRevisions.set(uri, revision);
    }
    const artifacts = this.artifactsUnder(prefix);
    const listedBefore = memory.listedAt;
    const present = await presentArtifacts(artifacts, memory);
    // What the operator wrote is looked at as often as the prefix: the ConfigMap is applied again.
    const relisted = memory.listedAt !== listedBefore;
    const failures = new Map<string, Failure>(
      [...desired.invalid].map(([name, message]) => [name, { cause: 'InvalidModelName', message }]),
    );
    const deadline = performance.now() + COPY_BUDGET_MS;
    const notAttempted = await putInPlace(artifacts, memory, desired.sources, failures, deadline);
    const targetOf = currentTargets(memory, desired.sources);
    // Models whose current artifact is not known (job running, source unread or unreadable) keep theirs.
    const unread = [...desired.sources.keys()].filter((name) => !targetOf.has(name) && !failures.has(name));
    const keep = new Set([
      ...desired.waiting.keys(),
      ...desired.failedJobs.keys(),
      ...failures.keys(),
      ...unread,
    ]);
    const after = placement(targetOf, present.keys(), keep);
    await retag(
      artifacts,
      memory,
      after.inPlace.map((name) => targetOf.get(name) ?? ''),
    );
    const retireAt = await retire(artifacts, memory, after.stale, new Set(targetOf.keys()));

    const inPlace = new Map(after.inPlace.map((name) => [name, targetOf.get(name) ?? '']));
    memory.served = inPlace;
    const configMapUid = await this.configMaps.write(
      this.owner,
      inPlace,
      this.ctx.status.current.targetsConfigMapUid,
      relisted,
      this.ctx.signal,
    );
    this.ctx.status.set({ targetsConfigMapUid: configMapUid });
    const unfinished = notAttempted.length;
    reportModels(this.ctx, this.obj.spec, memory, desired, failures, inPlace, unfinished);
    const nextListing = memory.listedAt + this.settings.driftIntervalMs - performance.now();
    const { polling } = this.options;
    const next = Math.min(
      nextListing,
      retireAt - performance.now(),
      failures.size > 0 ? polling.maxMs : Number.POSITIVE_INFINITY,
      unfinished > 0 ? polling.minMs : Number.POSITIVE_INFINITY,
    );
    return requeueAfter(Math.max(polling.minMs, next));
  }

  /**
   * Before the set's first action (its prefix recorded, a copy, the ConfigMap): what it depends on
   * is Ready and its gates hold. Undefined when they do (or the set has acted: what exists is never
   * held back), else how the reconcile ends meanwhile, status saying why. A model's s3UriFrom is not
   * a prerequisite: each model waits for its own job (desiredModels).
   */
  private async prerequisites(): Promise<ReconcileResult | undefined> {
    const { dependsOn, when } = this.obj.spec;
    if (this.ctx.status.current.modelDataPrefix !== undefined || (!dependsOn && !when)) return undefined;
    const read = documentReader(this.s3, this.ctx.signal);
    const spec = { ...(dependsOn && { dependsOn }), ...(when && { when }) };
    const result = await prerequisites({ metadata: this.obj.metadata, spec }, this.ctx.cache, read);
    const status = this.ctx.status as unknown as Parameters<typeof recordPrerequisites>[0];
    const recorded = recordPrerequisites(status, result, this.options.polling.maxMs);
    return 'result' in recorded ? recorded.result : undefined;
  }

  /** The job a model's s3UriFrom names, as the cache holds it. */
  private upstreamOf(): (source: S3UriFrom) => ModelUpstream {
    const { namespace } = this.obj.metadata;
    const jobs = upstreamJobs(this.ctx.cache, namespace);
    const objectOf = (kind: string, name: string) => {
      const descriptor = JOB_DESCRIPTORS.get(kind);
      return descriptor && this.ctx.cache.get(descriptor, namespace, name);
    };
    return (source) => modelUpstream(source, jobs, objectOf);
  }

  /** The artifacts under a prefix, as this set manages them. */
  private artifactsUnder(prefix: S3Location): SetArtifacts {
    return {
      s3: this.s3,
      bucket: prefix.bucket,
      base: prefixKey(prefix.key),
      owner: this.owner,
      tags: this.tags,
      settings: this.settings,
      events: this.ctx.events,
      cancel: this.cancel,
    };
  }

  /** Deletion under Delete: every artifact of ours under the prefix, then the targets ConfigMap. */
  async cleanUp(): Promise<ReconcileResult> {
    const recorded = this.ctx.status.current.modelDataPrefix;
    if (recorded !== undefined) {
      const deleted = await deleteArtifacts(this.artifactsUnder(parseS3Uri(recorded)));
      if (deleted > 0)
        this.ctx.events.normal('Deleting', `deleted ${deleted} artifact(s) under ${recorded}`, 'Delete');
    }
    await this.configMaps.delete(this.owner, this.ctx.status.current.targetsConfigMapUid, this.ctx.signal);
    this.memories.forget(this.obj.metadata.uid);
    return done;
  }
}

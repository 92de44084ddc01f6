import type { S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError, isNotFound } from '../../aws/errors.js';
import { desiredTags } from '../../aws/resource-tags.js';
import {
  copyObject,
  deleteObject,
  headObject,
  listPrefix,
  objectTags,
  parseS3Uri,
  prefixKey,
  putObjectTags,
  type MultipartCopySettings,
  type ObjectInfo,
  type S3Location,
} from '../../aws/s3-artifacts.js';
import { ownershipOf, type Owner, type Tag } from '../../aws/tags.js';
import { endpointDescriptor } from '../../crds/endpoint.js';
import { descriptorOf } from '../../crds/kind.js';
import {
  MAX_FAILED_IN_STATUS,
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
  errorMessage,
  requeueAfter,
  type KubeObject,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import type { KindControllerOptions } from '../common/change-detection.js';
import {
  desiredModels,
  referencedTrainingJobs,
  selects,
  modelUpstream,
  type DesiredModels,
  type JobOutcome,
  type ModelUpstream,
} from './desired-models.js';
import { modelOfKey, placement, someNames, TARGET_MODEL_PATTERN, targetModel, versionOf } from './layout.js';
import { SetMemories, type SetMemory } from './memory.js';
import { forEachBounded } from './pool.js';
import { resolvePrefix } from './prefix.js';
import { TargetsConfigMaps, targetsConfigMapName } from './targets-config-map.js';
import { waitForReference } from '../common/conditions.js';
import { cachedScopeOf } from '../common/identity.js';
import { documentReader, prerequisites, recordPrerequisites, upstreamJobs } from '../common/prerequisites.js';

/** The operator's settings for multi-model sets (flags). */
export interface MultiModelSettings {
  /** How long an artifact no model serves any more is kept, for callers still using it. */
  readonly retireGraceMs: number;
  /** S3 copies (and source reads) one set makes at a time. */
  readonly copyConcurrency: number;
  /** Between two listings of a prefix at rest. */
  readonly driftIntervalMs: number;
  readonly multipart?: MultipartCopySettings;
}

export interface MultiModelSetControllerOptions extends KindControllerOptions {
  readonly multiModel: MultiModelSettings;
}

type Context = ReconcileContext<MultiModelSetStatus>;

/** A reconcile starts no new copy after this long; it records its progress and goes on in the next. */
const COPY_BUDGET_MS = 20_000;
const MAX_FAILURE_MESSAGE = 1024;
/** Copies of one model in one reconcile whose source keeps changing under them; then it is retried later. */
const MAX_COPY_ATTEMPTS = 3;

/** A job object as a model's s3UriFrom reads how it ended. */
type JobObject = KubeObject & { status?: JobOutcome };
const JOB_DESCRIPTORS = new Map(
  [trainingJob, processingJob, transformJob].map((kind) => [kind.kind, descriptorOf<JobObject>(kind)]),
);

/** Why one model is not in place: `cause` is the AWS error's name or the operator's word for it. */
interface Failure {
  cause: string;
  message: string;
}

const tagLines = (tags: readonly Tag[]): string =>
  tags
    .map((t) => `${t.Key ?? ''}=${t.Value ?? ''}`)
    .sort()
    .join('\n');

function copyFailure(err: unknown): Failure {
  const aws = classifyAwsError(err);
  const name = (err as { name?: unknown } | undefined)?.name;
  return {
    cause: typeof name === 'string' && /^[A-Z]\w*$/.test(name) ? name : 'Error',
    message: (aws?.message ?? errorMessage(err)).slice(0, MAX_FAILURE_MESSAGE),
  };
}

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
    const listedBefore = memory.listedAt;
    const present = await this.present(memory, prefix);
    // What the operator wrote is looked at as often as the prefix: the ConfigMap is applied again.
    const relisted = memory.listedAt !== listedBefore;
    const failures = new Map<string, Failure>(
      [...desired.invalid].map(([name, message]) => [name, { cause: 'InvalidModelName', message }]),
    );
    const deadline = performance.now() + COPY_BUDGET_MS;
    const notAttempted = await this.putInPlace(memory, prefix, desired.sources, failures, deadline);
    const targetOf = this.targets(memory, desired.sources);
    // Models whose current artifact is not known (job running, source unread or unreadable) keep theirs.
    const unread = [...desired.sources.keys()].filter((name) => !targetOf.has(name) && !failures.has(name));
    const keep = new Set([
      ...desired.waiting.keys(),
      ...desired.failedJobs.keys(),
      ...failures.keys(),
      ...unread,
    ]);
    const after = placement(targetOf, present.keys(), keep);
    await this.retag(
      memory,
      prefix,
      after.inPlace.map((name) => targetOf.get(name) ?? ''),
    );
    const retireAt = await this.retire(after.stale, memory, prefix, new Set(targetOf.keys()));

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
    this.report(memory, desired, failures, inPlace, unfinished);
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

  /** What lies under the prefix: listed once per drift interval, kept up to date in between. */
  private async present(memory: SetMemory, prefix: S3Location): Promise<Map<string, string>> {
    const due = memory.listedAt + this.settings.driftIntervalMs <= performance.now();
    if (memory.present && !due) return memory.present;
    const base = prefixKey(prefix.key);
    const listed = await listPrefix(this.s3, { bucket: prefix.bucket, key: base }, this.cancel);
    memory.present = new Map([...listed].map(([key, etag]) => [key.slice(base.length), etag]));
    memory.listedAt = performance.now();
    return memory.present;
  }

  /** Model → TargetModel, for every model whose source has been read. */
  private targets(memory: SetMemory, sources: ReadonlyMap<string, string>): Map<string, string> {
    const targetOf = new Map<string, string>();
    for (const [name, uri] of sources) {
      const info = memory.sources.get(uri);
      if (info) targetOf.set(name, targetModel(name, versionOf(info.etag)));
    }
    return targetOf;
  }

  /**
   * Each model whose current artifact is not known to be in place, a bounded number at a time: its
   * source is read if its URI is new (HeadObject: ETag and size), then copied unless the key is
   * there. One model's failure is recorded and stops only that model. Returns the models not
   * attempted before the deadline.
   */
  private async putInPlace(
    memory: SetMemory,
    prefix: S3Location,
    sources: ReadonlyMap<string, string>,
    failures: Map<string, Failure>,
    deadline: number,
  ): Promise<string[]> {
    const present = memory.present ?? new Map<string, string>();
    const inPlace = (name: string, info: ObjectInfo | undefined): boolean =>
      info !== undefined && present.has(targetModel(name, versionOf(info.etag)));
    const work = [...sources].filter(([name, uri]) => !inPlace(name, memory.sources.get(uri)));
    const added: string[] = [];
    const updated: string[] = [];
    const restored: string[] = [];
    const notAttempted = await forEachBounded(
      work,
      this.settings.copyConcurrency,
      async ([name, uri]) => {
        try {
          let info = memory.sources.get(uri);
          for (let attempt = 1; ; attempt++) {
            if (!info) {
              info = await headObject(this.s3, parseS3Uri(uri), this.cancel);
              if (!info) {
                failures.set(name, {
                  cause: 'SourceNotFound',
                  message: `the artifact ${uri} does not exist`,
                });
                return;
              }
              memory.sources.set(uri, info);
              if (inPlace(name, info)) return;
            }
            const target = targetModel(name, versionOf(info.etag));
            const outcome = await copyObject(
              this.s3,
              parseS3Uri(uri),
              info,
              { bucket: prefix.bucket, key: `${prefixKey(prefix.key)}${target}` },
              this.tags,
              this.cancel,
              this.settings.multipart,
            );
            if (outcome === 'copied') {
              const served = memory.served.get(name);
              (served === undefined ? added : served === target ? restored : updated).push(name);
              present.set(target, info.etag);
              return;
            }
            // Overwritten since it was read: nothing was written; its new content gets its own name.
            memory.sources.delete(uri);
            info = undefined;
            if (attempt === MAX_COPY_ATTEMPTS) {
              failures.set(name, {
                cause: 'SourceChanged',
                message: `the artifact ${uri} changed during each of ${MAX_COPY_ATTEMPTS} copies`,
              });
              return;
            }
          }
        } catch (err) {
          // The source may have changed or gone since it was read: read it again next time.
          memory.sources.delete(uri);
          failures.set(name, copyFailure(err));
        }
      },
      this.ctx.signal,
      deadline,
    );
    if (added.length > 0)
      this.ctx.events.normal(
        'ModelAdded',
        `added ${added.length} model(s): ${someNames(added.sort())}`,
        'Copy',
      );
    if (restored.length > 0)
      this.ctx.events.normal(
        'ModelAdded',
        `copied again ${restored.length} model(s) whose artifact was deleted outside the operator: ${someNames(restored.sort())}`,
        'Copy',
      );
    if (updated.length > 0)
      this.ctx.events.normal(
        'ModelUpdated',
        `copied a new version of ${updated.length} model(s): ${someNames(updated.sort())}; the old version is deleted after ${this.settings.retireGraceMs / 1000} s`,
        'Copy',
      );
    return notAttempted.map(([name]) => name);
  }

  /**
   * spec.tags changed: the artifacts in place get the new tags. Whether they carry them is known
   * from the last reconcile, or after a restart from one artifact's tags.
   */
  private async retag(memory: SetMemory, prefix: S3Location, inPlace: readonly string[]): Promise<void> {
    const wanted = tagLines(this.tags);
    const base = prefixKey(prefix.key);
    const [sample] = inPlace;
    if (memory.taggedWith === wanted || sample === undefined) {
      memory.taggedWith = wanted;
      return;
    }
    if (memory.taggedWith === undefined) {
      const tags = await objectTags(this.s3, { bucket: prefix.bucket, key: `${base}${sample}` }, this.cancel);
      if (tags !== undefined && tagLines(tags) === wanted) {
        memory.taggedWith = wanted;
        return;
      }
    }
    await forEachBounded(
      inPlace,
      this.settings.copyConcurrency,
      (key) =>
        putObjectTags(this.s3, { bucket: prefix.bucket, key: `${base}${key}` }, this.tags, this.cancel),
      this.ctx.signal,
    );
    memory.taggedWith = wanted;
  }

  /**
   * Stale keys of ours are deleted once they have been stale for the grace period; keys that are not
   * ours are never touched. Returns when the next one is due (performance.now() time).
   */
  private async retire(
    stale: readonly string[],
    memory: SetMemory,
    prefix: S3Location,
    desired: ReadonlySet<string>,
  ): Promise<number> {
    const present = memory.present ?? new Map<string, string>();
    const staleKeys = new Set(stale);
    for (const key of memory.retiredSince.keys()) if (!staleKeys.has(key)) memory.retiredSince.delete(key);
    const base = prefixKey(prefix.key);
    const removed = new Set<string>();
    const now = performance.now();
    await forEachBounded(
      stale.filter((key) => !memory.foreign.has(key)),
      this.settings.copyConcurrency,
      async (key) => {
        const location = { bucket: prefix.bucket, key: `${base}${key}` };
        if (!memory.retiredSince.has(key)) {
          const tags = await objectTags(this.s3, location, this.cancel);
          if (tags === undefined) present.delete(key);
          else if (ownershipOf(tags, this.owner) === 'foreign') memory.foreign.add(key);
          else memory.retiredSince.set(key, now);
          return;
        }
        if (now - (memory.retiredSince.get(key) ?? now) < this.settings.retireGraceMs) return;
        await deleteObject(this.s3, location, this.cancel);
        present.delete(key);
        memory.retiredSince.delete(key);
        const name = modelOfKey(key) ?? key;
        if (!desired.has(name)) removed.add(name);
      },
      this.ctx.signal,
    );
    if (removed.size > 0)
      this.ctx.events.normal(
        'ModelRemoved',
        `removed ${removed.size} model(s): ${someNames([...removed].sort())}`,
        'Delete',
      );
    let next = Number.POSITIVE_INFINITY;
    for (const since of memory.retiredSince.values())
      next = Math.min(next, since + this.settings.retireGraceMs);
    return next;
  }

  private report(
    memory: SetMemory,
    desired: DesiredModels,
    failures: ReadonlyMap<string, Failure>,
    inPlace: ReadonlyMap<string, string>,
    copying: number,
  ): void {
    const names = new Set([
      ...desired.sources.keys(),
      ...desired.waiting.keys(),
      ...desired.invalid.keys(),
      ...desired.failedJobs.keys(),
    ]);
    // A copy that failed says more than the job before it; both are reported under the model's name.
    const failed = new Map<string, Failure>([
      ...[...desired.failedJobs].map(([name, f]): [string, Failure] => [
        name,
        { cause: f.reason, message: f.message },
      ]),
      ...failures,
    ]);
    const failedNames = [...failed.keys()].sort();
    const newlyFailing = failedNames.filter((name) => memory.failing.get(name) !== failed.get(name)?.message);
    memory.failing = new Map(failedNames.map((name) => [name, failed.get(name)?.message ?? '']));
    if (newlyFailing.length > 0)
      this.ctx.events.warning(
        'ModelFailed',
        `${newlyFailing.length} model(s) failed: ${someNames(
          newlyFailing.map((name) => `${name} (${failed.get(name)?.message ?? ''})`),
          3,
        )}`,
        'Copy',
      );
    const total = names.size;
    const ready = inPlace.size;
    const notServed = failedNames.filter((name) => !inPlace.has(name)).length;
    this.ctx.status.set({
      models: {
        desired: total,
        ready,
        failed: notServed,
        pending: Math.max(0, total - ready - notServed),
        summary: `${ready}/${total}`,
      },
      failedModels: failedNames.slice(0, MAX_FAILED_IN_STATUS).map((name) => {
        const failure = failed.get(name);
        return { name, reason: failure?.cause ?? '', message: failure?.message ?? '' };
      }),
    });
    const prefix = memory.prefix;
    const list = (which: readonly string[]): string =>
      someNames(
        which.map((name) => `${name} (${failed.get(name)?.cause ?? ''})`),
        3,
      );
    if (failures.size > 0) {
      const message = `${failures.size} of ${total} model(s) failed: ${list([...failures.keys()].sort())}; retried`;
      this.ctx.status.setCondition('Ready', 'False', 'ModelsFailed', message);
      return;
    }
    // A model whose newest job failed and that has nothing else to serve waits for a new job, not
    // for the operator: it holds back nothing.
    const unplaced = [...names].filter(
      (name) =>
        !inPlace.has(name) &&
        !desired.waiting.has(name) &&
        (desired.sources.has(name) || !desired.failedJobs.has(name)),
    );
    const jobsFailed =
      desired.failedJobs.size > 0
        ? `; the newest job of ${desired.failedJobs.size} model(s) failed: ${list([...desired.failedJobs.keys()].sort())}`
        : '';
    if (copying > 0 || unplaced.length > 0)
      this.ctx.status.setCondition(
        'Ready',
        'False',
        'Updating',
        `${ready} of ${total} model(s) in place under ${prefix}`,
      );
    else if (desired.waiting.size > 0)
      this.ctx.status.setCondition(
        'Ready',
        'False',
        'WaitingForReference',
        `${ready} of ${total} model(s) in place; ${someNames([...desired.waiting.values()], 3)}${jobsFailed}`,
      );
    // A set of no model serves nothing: its selector is waiting for its first job (which may be
    // applied with it, and reach the operator after it).
    else if (total === 0)
      this.ctx.status.setCondition(
        'Ready',
        'False',
        'WaitingForReference',
        this.obj.spec.trainingJobSelector
          ? 'no model yet: no TrainingJob of this namespace matches trainingJobSelector'
          : 'no model yet: models is empty',
      );
    else
      this.ctx.status.setCondition(
        'Ready',
        'True',
        'ModelsInPlace',
        `${ready === total ? 'all' : `${ready} of`} ${total} model(s) in place under ${prefix}${jobsFailed}`,
      );
  }

  /** Deletion under Delete: every artifact of ours under the prefix, then the targets ConfigMap. */
  async cleanUp(): Promise<ReconcileResult> {
    const recorded = this.ctx.status.current.modelDataPrefix;
    if (recorded !== undefined) {
      const prefix = parseS3Uri(recorded);
      const base = prefixKey(prefix.key);
      // A bucket already gone holds nothing to delete.
      const listed = await listPrefix(this.s3, { bucket: prefix.bucket, key: base }, this.cancel).catch(
        (err: unknown) => {
          if (isNotFound(err)) return new Map<string, string>();
          throw err;
        },
      );
      const ours = [...listed.keys()].filter((key) => modelOfKey(key.slice(base.length)) !== undefined);
      let deleted = 0;
      await forEachBounded(
        ours,
        this.settings.copyConcurrency,
        async (key) => {
          const location = { bucket: prefix.bucket, key };
          const tags = await objectTags(this.s3, location, this.cancel);
          if (tags === undefined || ownershipOf(tags, this.owner) === 'foreign') return;
          await deleteObject(this.s3, location, this.cancel);
          deleted++;
        },
        this.ctx.signal,
      );
      if (deleted > 0)
        this.ctx.events.normal('Deleting', `deleted ${deleted} artifact(s) under ${recorded}`, 'Delete');
    }
    await this.configMaps.delete(this.owner, this.ctx.status.current.targetsConfigMapUid, this.ctx.signal);
    this.memories.forget(this.obj.metadata.uid);
    return done;
  }
}

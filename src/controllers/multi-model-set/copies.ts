import { classifyAwsError } from '../../aws/errors.js';
import { copyObject, headObject, listPrefix, parseS3Uri, type ObjectInfo } from '../../aws/s3-artifacts.js';
import { errorMessage } from '../../runtime/index.js';
import { artifactAt, type SetArtifacts } from './artifacts.js';
import { someNames, targetModel, versionOf } from './layout.js';
import type { SetMemory } from './memory.js';
import { forEachBounded } from './pool.js';

/*
 * Putting models in place: each model's source copied under the prefix, under a key of its content,
 * one model's failure its own.
 */

const MAX_FAILURE_MESSAGE = 1024;
/** Copies of one model in one reconcile whose source keeps changing under them; then it is retried later. */
const MAX_COPY_ATTEMPTS = 3;

/** Why one model is not in place: `cause` is the AWS error's name or the operator's word for it. */
export interface Failure {
  cause: string;
  message: string;
}

function copyFailure(err: unknown): Failure {
  const aws = classifyAwsError(err);
  const name = (err as { name?: unknown } | undefined)?.name;
  return {
    cause: typeof name === 'string' && /^[A-Z]\w*$/.test(name) ? name : 'Error',
    message: (aws?.message ?? errorMessage(err)).slice(0, MAX_FAILURE_MESSAGE),
  };
}

/** What lies under the prefix: listed once per drift interval, kept up to date in between. */
export async function presentArtifacts(
  artifacts: SetArtifacts,
  memory: SetMemory,
): Promise<Map<string, string>> {
  const due = memory.listedAt + artifacts.settings.driftIntervalMs <= performance.now();
  if (memory.present && !due) return memory.present;
  const listed = await listPrefix(artifacts.s3, artifactAt(artifacts, ''), artifacts.cancel);
  memory.present = new Map([...listed].map(([key, etag]) => [key.slice(artifacts.base.length), etag]));
  memory.listedAt = performance.now();
  return memory.present;
}

/** Model → TargetModel, for every model whose source has been read. */
export function currentTargets(memory: SetMemory, sources: ReadonlyMap<string, string>): Map<string, string> {
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
 * there. One model's failure is recorded in `failures` and stops only that model. Returns the
 * models not attempted before the deadline.
 */
export async function putInPlace(
  artifacts: SetArtifacts,
  memory: SetMemory,
  sources: ReadonlyMap<string, string>,
  failures: Map<string, Failure>,
  deadline: number,
): Promise<string[]> {
  const { s3, cancel, settings } = artifacts;
  const present = memory.present ?? new Map<string, string>();
  const inPlace = (name: string, info: ObjectInfo | undefined): boolean =>
    info !== undefined && present.has(targetModel(name, versionOf(info.etag)));
  const work = [...sources].filter(([name, uri]) => !inPlace(name, memory.sources.get(uri)));
  const added: string[] = [];
  const updated: string[] = [];
  const restored: string[] = [];
  const notAttempted = await forEachBounded(
    work,
    settings.copyConcurrency,
    async ([name, uri]) => {
      try {
        let info = memory.sources.get(uri);
        for (let attempt = 1; ; attempt++) {
          if (!info) {
            info = await headObject(s3, parseS3Uri(uri), cancel);
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
            s3,
            parseS3Uri(uri),
            info,
            artifactAt(artifacts, target),
            artifacts.tags,
            cancel,
            settings.multipart,
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
    cancel.abortSignal,
    deadline,
  );
  const { events } = artifacts;
  if (added.length > 0)
    events.normal('ModelAdded', `added ${added.length} model(s): ${someNames(added.sort())}`, 'Copy');
  if (restored.length > 0)
    events.normal(
      'ModelAdded',
      `copied again ${restored.length} model(s) whose artifact was deleted outside the operator: ${someNames(restored.sort())}`,
      'Copy',
    );
  if (updated.length > 0)
    events.normal(
      'ModelUpdated',
      `copied a new version of ${updated.length} model(s): ${someNames(updated.sort())}; the old version is deleted after ${settings.retireGraceMs / 1000} s`,
      'Copy',
    );
  return notAttempted.map(([name]) => name);
}

import type { S3Client } from '@aws-sdk/client-s3';
import type { MultipartCopySettings, S3Location } from '../../aws/s3-artifacts.js';
import type { Owner, Tag } from '../../aws/tags.js';
import type { EventSink } from '../../runtime/index.js';

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

/**
 * The artifacts of one set under its prefix, as one reconcile acts on them: in which bucket and
 * under which key, as whom, with which tags, how many calls at a time, and where its events go.
 */
export interface SetArtifacts {
  readonly s3: S3Client;
  readonly bucket: string;
  /** The prefix's key, ending with `/`: an artifact's key is the base followed by its TargetModel. */
  readonly base: string;
  /** The set, as the ownership tags name it: nothing without them is deleted. */
  readonly owner: Owner;
  /** What every artifact carries: the ownership tags and spec.tags. */
  readonly tags: Tag[];
  readonly settings: MultiModelSettings;
  readonly events: EventSink;
  readonly cancel: { abortSignal: AbortSignal };
}

/** Where the artifact of a key relative to the prefix (a TargetModel) lies. */
export function artifactAt(artifacts: SetArtifacts, relativeKey: string): S3Location {
  return { bucket: artifacts.bucket, key: `${artifacts.base}${relativeKey}` };
}

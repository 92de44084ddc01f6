import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectTaggingCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isNotFound, isPreconditionFailed } from './errors.js';
import type { Tag } from './tags.js';

/** Model artifacts in S3: server-side copies, listings and deletes, tagged with their owner. */

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

export interface Cancel {
  readonly abortSignal: AbortSignal;
}

/** `s3://bucket/key` → bucket and key (key may be empty or end in `/` for a prefix). */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`not an S3 URI: ${uri}`);
  return { bucket: match[1] ?? '', key: match[2] ?? '' };
}

export function s3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** A prefix's key with exactly one trailing slash (none for the bucket's root). */
export function prefixKey(key: string): string {
  const trimmed = key.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

export interface ObjectInfo {
  /** The ETag without its quotes: the MD5 of a plain upload, `<md5>-<parts>` of a multipart one. */
  readonly etag: string;
  readonly size: number;
}

const unquoted = (etag: string | undefined): string => (etag ?? '').replace(/^"|"$/g, '');

/** The object's ETag and size, or undefined when it does not exist. */
export async function headObject(
  s3: S3Client,
  location: S3Location,
  cancel: Cancel,
): Promise<ObjectInfo | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }), cancel);
    return { etag: unquoted(head.ETag), size: head.ContentLength ?? 0 };
  } catch (err) {
    if (isNotFound(err) || httpStatusOf(err) === 404) return undefined;
    throw err;
  }
}

/** A document too large to be a report a person reads: refused rather than held in memory. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** A small object's text, or undefined when it does not exist; larger than MAX_DOCUMENT_BYTES: an error. */
export async function readDocument(
  s3: S3Client,
  location: S3Location,
  cancel: Cancel,
): Promise<string | undefined> {
  try {
    const answer = await s3.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
      cancel,
    );
    if ((answer.ContentLength ?? 0) > MAX_DOCUMENT_BYTES)
      throw new Error(
        `${s3Uri(location)} has ${answer.ContentLength} bytes: a document read here has at most ${MAX_DOCUMENT_BYTES}`,
      );
    return await answer.Body?.transformToString('utf-8');
  } catch (err) {
    if (isNotFound(err) || httpStatusOf(err) === 404) return undefined;
    throw err;
  }
}

function httpStatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** Every key under the prefix with its ETag, one ListObjectsV2 page (up to 1,000 keys) per call. */
export async function listPrefix(
  s3: S3Client,
  prefix: S3Location,
  cancel: Cancel,
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: prefix.bucket, Prefix: prefix.key, ContinuationToken: token }),
      cancel,
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.set(object.Key, unquoted(object.ETag));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** S3's limit for a single CopyObject; larger objects are copied in parts. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
const DEFAULT_PART_BYTES = 512 * 1024 ** 2;
const MAX_PARTS = 10_000;

export interface MultipartCopySettings {
  /** Objects larger than this are copied with UploadPartCopy. */
  readonly thresholdBytes: number;
  readonly partBytes: number;
}

export const DEFAULT_MULTIPART: MultipartCopySettings = {
  thresholdBytes: MAX_SINGLE_COPY_BYTES,
  partBytes: DEFAULT_PART_BYTES,
};

/** `k=v&k2=v2`, the form S3 takes tags in on a write. */
function taggingHeader(tags: readonly Tag[]): string {
  return tags.map((t) => `${encodeURIComponent(t.Key ?? '')}=${encodeURIComponent(t.Value ?? '')}`).join('&');
}

const copySource = (source: S3Location): string =>
  `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`;

/** A copy's end: done, or not made because the source no longer has the ETag it was read with. */
export type CopyOutcome = 'copied' | 'sourceChanged';

/**
 * Copies `source`, as it was when read (`info`: its ETag and size), to `target` inside S3, with `tags`
 * on the copy: one CopyObject, or a multipart upload of UploadPartCopy ranges above the threshold
 * (aborted if a part fails, so no partial object is left behind and no incomplete upload keeps
 * costing storage). Every request carries CopySourceIfMatch with that ETag, so a source overwritten
 * before or during the copy is never copied under a name made from its old ETag, nor a copy made of
 * parts of two versions: the copy is abandoned and `sourceChanged` returned.
 */
export async function copyObject(
  s3: S3Client,
  source: S3Location,
  info: ObjectInfo,
  target: S3Location,
  tags: readonly Tag[],
  cancel: Cancel,
  multipart: MultipartCopySettings = DEFAULT_MULTIPART,
): Promise<CopyOutcome> {
  const ifMatch = `"${info.etag}"`;
  if (info.size <= multipart.thresholdBytes) {
    try {
      await s3.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          CopySource: copySource(source),
          CopySourceIfMatch: ifMatch,
          TaggingDirective: 'REPLACE',
          Tagging: taggingHeader(tags),
        }),
        cancel,
      );
    } catch (err) {
      if (isPreconditionFailed(err)) return 'sourceChanged';
      throw err;
    }
    return 'copied';
  }
  const upload = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: target.bucket,
      Key: target.key,
      Tagging: taggingHeader(tags),
    }),
    cancel,
  );
  const uploadId = upload.UploadId ?? '';
  try {
    const partBytes = Math.max(multipart.partBytes, Math.ceil(info.size / MAX_PARTS));
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let start = 0, number = 1; start < info.size; start += partBytes, number++) {
      const end = Math.min(info.size, start + partBytes) - 1;
      const part = await s3.send(
        new UploadPartCopyCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          PartNumber: number,
          CopySource: copySource(source),
          CopySourceIfMatch: ifMatch,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
        cancel,
      );
      parts.push({ ETag: part.CopyPartResult?.ETag ?? '', PartNumber: number });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
      cancel,
    );
    return 'copied';
  } catch (err) {
    // Best effort: a lifecycle rule for incomplete uploads is the safety net.
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }))
      .catch(() => undefined);
    if (isPreconditionFailed(err)) return 'sourceChanged';
    throw err;
  }
}

/** The object's tags, or undefined when it does not exist. */
export async function objectTags(
  s3: S3Client,
  location: S3Location,
  cancel: Cancel,
): Promise<Tag[] | undefined> {
  try {
    const answer = await s3.send(
      new GetObjectTaggingCommand({ Bucket: location.bucket, Key: location.key }),
      cancel,
    );
    return (answer.TagSet ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
  } catch (err) {
    if (isNotFound(err) || httpStatusOf(err) === 404) return undefined;
    throw err;
  }
}

/** Replaces the object's tags. */
export async function putObjectTags(
  s3: S3Client,
  location: S3Location,
  tags: readonly Tag[],
  cancel: Cancel,
): Promise<void> {
  await s3.send(
    new PutObjectTaggingCommand({
      Bucket: location.bucket,
      Key: location.key,
      Tagging: { TagSet: tags.map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })) },
    }),
    cancel,
  );
}

/** Deletes the object; one already gone counts as deleted (S3 answers 204 either way). */
export async function deleteObject(s3: S3Client, location: S3Location, cancel: Cancel): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }), cancel);
}

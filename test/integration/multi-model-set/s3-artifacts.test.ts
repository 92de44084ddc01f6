import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  copyObject,
  headObject,
  listPrefix,
  type MultipartCopySettings,
} from '../../../src/aws/s3-artifacts.js';
import { s3Endpoint } from '../support/cluster.js';

/* The S3 calls of src/aws/s3-artifacts.ts against moto's S3. */

let s3: S3Client;
const bucket = `artifacts-${randomUUID()}`;
const cancel = { abortSignal: new AbortController().signal };
const MiB = 1024 * 1024;

beforeAll(async () => {
  s3 = new S3Client({
    endpoint: s3Endpoint(),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => {
  s3.destroy();
});

const tags = [
  { Key: 'mlops.dev/owner', Value: 'MultiModelSet/ns/set' },
  { Key: 'team', Value: 'a b/c' },
];

async function tagsOf(key: string): Promise<{ Key?: string; Value?: string }[]> {
  const answer = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
  return (answer.TagSet ?? [])
    .map((t) => ({ Key: t.Key, Value: t.Value }))
    .sort((a, b) => (a.Key ?? '').localeCompare(b.Key ?? ''));
}

describe('S3 artifacts', () => {
  it('copies an object server-side with the given tags', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'src/small.tar.gz', Body: 'small' }));
    const source = await headObject(s3, { bucket, key: 'src/small.tar.gz' }, cancel);
    expect(source).toEqual({ etag: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown, size: 5 });
    const copied = await copyObject(
      s3,
      { bucket, key: 'src/small.tar.gz' },
      source!,
      { bucket, key: 'dst/small/v.tar.gz' },
      tags,
      cancel,
    );
    expect(copied).toBe('copied');
    expect(await tagsOf('dst/small/v.tar.gz')).toEqual(tags);
    expect((await listPrefix(s3, { bucket, key: 'dst/' }, cancel)).get('dst/small/v.tar.gz')).toBe(
      source?.etag,
    );
    expect(await headObject(s3, { bucket, key: 'src/none.tar.gz' }, cancel)).toBeUndefined();
  });

  it('copies in parts above the threshold, and leaves no upload behind', async () => {
    const body = randomBytes(11 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'src/large.tar.gz', Body: body }));
    const source = await headObject(s3, { bucket, key: 'src/large.tar.gz' }, cancel);
    await copyObject(
      s3,
      { bucket, key: 'src/large.tar.gz' },
      source!,
      { bucket, key: 'dst/large/v.tar.gz' },
      tags,
      cancel,
      { thresholdBytes: MiB, partBytes: 5 * MiB },
    );
    const copied = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dst/large/v.tar.gz' }));
    expect(Buffer.from(await copied.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(copied.ETag).toMatch(/-3"$/);
    expect(await tagsOf('dst/large/v.tar.gz')).toEqual(tags);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('aborts the upload when a part fails', async () => {
    await expect(
      copyObject(
        s3,
        { bucket, key: 'src/missing.tar.gz' },
        { etag: '0123456789abcdef0123456789abcdef', size: 11 * MiB },
        { bucket, key: 'dst/missing/v.tar.gz' },
        tags,
        cancel,
        {
          thresholdBytes: MiB,
          partBytes: 5 * MiB,
        },
      ),
    ).rejects.toThrow();
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('copies nothing from a source whose ETag is no longer the one it was read with, in one request or in parts', async () => {
    const key = 'src/overwritten.tar.gz';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: randomBytes(6 * MiB) }));
    const read = await headObject(s3, { bucket, key }, cancel);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: randomBytes(6 * MiB) }));
    const copy = (target: string, multipart?: MultipartCopySettings) =>
      copyObject(s3, { bucket, key }, read!, { bucket, key: target }, tags, cancel, multipart);
    expect(await copy('dst/overwritten/single.tar.gz')).toBe('sourceChanged');
    expect(await copy('dst/overwritten/parts.tar.gz', { thresholdBytes: MiB, partBytes: 5 * MiB })).toBe(
      'sourceChanged',
    );
    expect((await listPrefix(s3, { bucket, key: 'dst/overwritten/' }, cancel)).size).toBe(0);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);

    // The source as it is now copies.
    const now = await headObject(s3, { bucket, key }, cancel);
    await expect(
      copyObject(s3, { bucket, key }, now!, { bucket, key: 'dst/overwritten/now.tar.gz' }, tags, cancel, {
        thresholdBytes: MiB,
        partBytes: 5 * MiB,
      }),
    ).resolves.toBe('copied');
  });

  it('lists every page of a prefix', async () => {
    // In batches: the SDK warns when more requests wait than it has sockets.
    for (let start = 0; start < 1_005; start += 40)
      await Promise.all(
        Array.from({ length: Math.min(40, 1_005 - start) }, (_, i) =>
          s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: `many/${String(start + i).padStart(4, '0')}`,
              Body: 'x',
            }),
          ),
        ),
      );
    expect((await listPrefix(s3, { bucket, key: 'many/' }, cancel)).size).toBe(1_005);
  });
});

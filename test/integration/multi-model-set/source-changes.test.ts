import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { MultiModelSetSpec } from '../../../src/crds/multi-model-set.js';
import { OperatorHarness, REGION } from '../support/operator.js';
import { PLURAL, prefixOf, s3UriOf, targets, waitReady } from './support.js';

/* A model's source overwritten while the operator copies it. */

let h: OperatorHarness;
const MiB = 1024 * 1024;

beforeAll(async () => {
  h = await OperatorHarness.start('mms-src');
  // Copies go in parts from 1 MiB (5 GiB in production), so a copy spans several requests.
  h.limits.timings = { multiModelMultipart: { thresholdBytes: MiB, partBytes: 5 * MiB } };
  await h.restartOperator();
});
afterAll(async () => {
  await h.stop();
});

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

describe('MultiModelSet copies', () => {
  it('copy a source overwritten during a multipart copy again, under the name of its new content', async () => {
    const prefix = prefixOf(h, 'overwritten');
    const source = 'sources/overwritten.tar.gz';
    const [before, after] = [randomBytes(6 * MiB), randomBytes(6 * MiB)];
    await h.cloud.s3.send(new PutObjectCommand({ Bucket: h.cloud.bucket, Key: source, Body: before }));

    // The source is overwritten once the operator's first part is copied, before its second.
    const operatorS3 = h.operatorAws.s3({ region: REGION });
    let overwritten = false;
    operatorS3.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (!overwritten && context.commandName === 'UploadPartCopyCommand') {
          overwritten = true;
          await h.cloud.s3.send(new PutObjectCommand({ Bucket: h.cloud.bucket, Key: source, Body: after }));
        }
        return result;
      },
      { step: 'initialize', name: 'overwrite-during-copy' },
    );
    await h.create(PLURAL, 'MultiModelSet', 'overwritten', {
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: [{ name: 'model', s3Uri: s3UriOf(h, source) }],
    } satisfies MultiModelSetSpec);
    const set = await waitReady(h, 'overwritten');
    operatorS3.middlewareStack.remove('overwrite-during-copy');
    expect(overwritten).toBe(true);

    // Served: the new content, under the name made from its ETag (the MD5 of a one-part upload).
    const served = (await targets(h, 'overwritten'))?.model;
    expect(served).toBe(`model/${md5(after)}.tar.gz`);
    expect(set.status?.models).toMatchObject({ desired: 1, ready: 1, failed: 0 });
    // Nothing under a name its content does not match: no copy of the old name, no mix of both.
    const keys = await h.cloud.keys(prefix);
    expect(keys).toEqual([`${prefix}${served ?? ''}`]);
    for (const key of keys) expect(`${prefix}model/${md5(await h.cloud.readBytes(key))}.tar.gz`).toBe(key);
    const uploads = await h.cloud.s3.send(
      new ListMultipartUploadsCommand({ Bucket: h.cloud.bucket, Prefix: prefix }),
    );
    expect(uploads.Uploads ?? []).toEqual([]);
  });
});

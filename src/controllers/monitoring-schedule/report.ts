import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from '../../aws/errors.js';
import type { ViolationSummary } from '../../crds/monitoring-schedule.js';
import { MAX_REPORT_BYTES, summarizeViolations } from './executions.js';

/** `s3://bucket/key` into its parts; undefined for anything else. */
function s3Location(uri: string): { Bucket: string; Key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  return match ? { Bucket: match[1] ?? '', Key: match[2] ?? '' } : undefined;
}

/**
 * The violations summary of an execution's report folder, read from its constraint_violations.json
 * (at most MAX_REPORT_BYTES of it); undefined when the file is absent or too large to summarise.
 */
export async function readViolations(
  s3: S3Client,
  reportUri: string,
  cancel: { abortSignal: AbortSignal },
): Promise<ViolationSummary | undefined> {
  const location = s3Location(`${reportUri.replace(/\/+$/, '')}/constraint_violations.json`);
  if (!location) return undefined;
  try {
    const answer = await s3.send(
      new GetObjectCommand({ ...location, Range: `bytes=0-${MAX_REPORT_BYTES}` }),
      cancel,
    );
    const body = (await answer.Body?.transformToString()) ?? '';
    if (body.length > MAX_REPORT_BYTES) return undefined;
    return summarizeViolations(body);
  } catch (err) {
    if (isNotFound(err) || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

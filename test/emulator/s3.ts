import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';

export interface S3Options {
  endpoint: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface S3Location {
  bucket: string;
  key: string;
}

/** `s3://bucket/key` (also the `https://host/bucket/key` form SageMaker accepts) → bucket and key. */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri) ?? /^https:\/\/[^/]+\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`not an S3 URI: ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}

/** Joins URI parts with single slashes, as SageMaker does when it builds output paths. */
export const joinS3 = (base: string, ...parts: string[]): string =>
  [base.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))]
    .filter((p) => p !== '')
    .join('/');

/** The S3 operations the emulator's side effects need, against moto's server (or any S3). */
export class S3Effects {
  private readonly client: S3Client;

  constructor(options: S3Options) {
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      forcePathStyle: true,
      credentials: options.credentials ?? { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
    });
  }

  async put(uri: string, body: string | Uint8Array, contentType = 'application/octet-stream'): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    await this.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async exists(uri: string): Promise<boolean> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return false;
      throw error;
    }
  }

  async read(uri: string): Promise<Uint8Array> {
    const { bucket, key } = parseS3Uri(uri);
    const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
  }

  /** URIs of every object under the prefix. */
  async list(prefixUri: string): Promise<string[]> {
    const { bucket, key } = parseS3Uri(prefixUri);
    const uris: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) uris.push(`s3://${bucket}/${object.Key}`);
      token = page.NextContinuationToken;
    } while (token);
    return uris;
  }

  destroy(): void {
    this.client.destroy();
  }
}

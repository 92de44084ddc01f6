import { describe, expect, it } from '@jest/globals';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AssumedRoles } from '../../../src/aws/identity.js';
import { s3Endpoint } from '../support/cluster.js';

/** STS is moto's server, the rig's S3 endpoint (moto serves every service on one port). */
function sts(credentials = { accessKeyId: 'test', secretAccessKey: 'test' }): STSClient {
  return new STSClient({ region: 'us-east-1', endpoint: s3Endpoint(), credentials });
}

/** Who STS says signed with `accessKeyId` (moto names the caller from the key alone). */
async function callerOf(accessKeyId: string): Promise<string | undefined> {
  const answer = await sts({ accessKeyId, secretAccessKey: 'unknown' }).send(
    new GetCallerIdentityCommand({}),
  );
  return answer.Arn;
}

const ROLE = 'arn:aws:iam::111111111111:role/team-a';

describe('AssumedRoles', () => {
  it('assumes a role once per role and session, names the session, and replaces credentials before they expire', async () => {
    let now = Date.now();
    const roles = new AssumedRoles(sts(), { durationSeconds: 900, refreshBeforeMs: 120_000, now: () => now });
    const [first, concurrent] = await Promise.all([
      roles.credentials(ROLE, 'team-a'),
      roles.credentials(ROLE, 'team-a'),
    ]);
    expect(concurrent.accessKeyId).toBe(first.accessKeyId);
    expect(await callerOf(first.accessKeyId)).toBe('arn:aws:sts::111111111111:assumed-role/team-a/team-a');

    const expiration = first.expiration?.getTime() ?? 0;
    now = expiration - 120_001;
    expect((await roles.credentials(ROLE, 'team-a')).accessKeyId).toBe(first.accessKeyId);

    now = expiration - 119_999;
    const refreshed = await roles.credentials(ROLE, 'team-a');
    expect(refreshed.accessKeyId).not.toBe(first.accessKeyId);
    expect(refreshed.expiration?.getTime()).toBeGreaterThan(expiration - 119_999);
    expect(await callerOf(refreshed.accessKeyId)).toBe(
      'arn:aws:sts::111111111111:assumed-role/team-a/team-a',
    );

    const other = await roles.credentials(ROLE, 'team-b');
    expect(other.accessKeyId).not.toBe(refreshed.accessKeyId);
    expect(await callerOf(other.accessKeyId)).toBe('arn:aws:sts::111111111111:assumed-role/team-a/team-b');
  });

  it("asks STS for the operator's own account", async () => {
    const roles = new AssumedRoles(sts());
    expect(await roles.callerAccount()).toMatch(/^\d{12}$/);
  });
});

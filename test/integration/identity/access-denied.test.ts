import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { assumeRoleWithPolicy, type RoleSession } from '../support/iam.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';

/*
 * The operator acting as a role whose IAM policy (the seed's "VPC required", in moto's IAM) denies
 * a manifest: SageMaker's AccessDeniedException becomes a terminal condition, and the call log
 * shows the role session made the calls. Credentials are the operator's own (the SDK's default
 * chain reads them from the environment), so this file runs in its own worker.
 */

let h: OperatorHarness;
let session: RoleSession;

beforeAll(async () => {
  const seed = JSON.parse(
    await readFile(new URL('../../emulator/fixtures/secure-vpc-policies.json', import.meta.url), 'utf8'),
  ) as { requireVpc: object };
  session = await assumeRoleWithPolicy(
    'operator-secure-vpc',
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' }] },
    [seed.requireVpc],
  );
  process.env.AWS_ACCESS_KEY_ID = session.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = session.credentials.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = session.credentials.sessionToken;
  h = await OperatorHarness.start('iam-denied');
});
afterAll(async () => {
  await h.stop();
});

interface Status {
  trainingJobName?: string;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

describe('a training job its role may not create', () => {
  it("is Synced=False AccessDenied with IAM's message, Stalled, and not created", async () => {
    await h.create('trainingjobs', 'TrainingJob', 'no-vpc', MINIMAL_SPECS.TrainingJob!);
    const job = await h.waitFor<unknown, Status>(
      'trainingjobs',
      'no-vpc',
      (o) => condition(o, 'Synced')?.reason === 'AccessDenied',
    );
    const name = job?.status?.trainingJobName ?? '';
    expect(condition(job, 'Synced')).toMatchObject({
      status: 'False',
      message: `AccessDeniedException: User: ${session.arn} is not authorized to perform: sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:123456789012:training-job/${name} with an explicit deny in an identity-based policy`,
    });
    expect(condition(job, 'Stalled')?.status).toBe('True');
    expect((await eventsAbout(h, 'no-vpc')).map((e) => e.reason)).toContain('AccessDenied');
    const calls = (await h.cloud.emulator.control.calls({ resource: name })).calls;
    expect(
      calls.filter((c) => c.operation === 'CreateTrainingJob').map((c) => [c.principal, c.outcome]),
    ).toContainEqual([session.arn, 'AccessDeniedException']);
    expect(calls.some((c) => c.outcome === 'ok' && c.operation === 'CreateTrainingJob')).toBe(false);
  });

  it('is created by the same role once it runs in a VPC', async () => {
    await h.create('trainingjobs', 'TrainingJob', 'in-vpc', {
      ...MINIMAL_SPECS.TrainingJob,
      vpcConfig: { subnets: ['subnet-0a338babaa635e3e6'], securityGroupIds: ['sg-09d0ae98a2abd26f5'] },
    });
    const job = await h.waitFor<unknown, Status>(
      'trainingjobs',
      'in-vpc',
      (o) => condition(o, 'Synced')?.status === 'True' && o?.status?.trainingJobName !== undefined,
    );
    const created = (
      await h.cloud.emulator.control.calls({
        resource: job?.status?.trainingJobName ?? '',
        operation: 'CreateTrainingJob',
      })
    ).calls;
    expect(created.map((c) => [c.principal, c.outcome])).toEqual([[session.arn, 'ok']]);
  });
});

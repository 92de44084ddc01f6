import { randomBytes } from 'node:crypto';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { s3Endpoint } from './cluster.js';

export interface RoleSession {
  /** The role session's ARN, as IAM names the caller: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  arn: string;
  roleArn: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

const ADMIN = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * Creates a role in moto's IAM (the rig's S3 endpoint serves IAM and STS too) with `policy` as its
 * inline policy and each of `managed` as an attached customer-managed policy, and assumes it: the
 * emulator finds the role from the session's access key and evaluates those policies on every
 * call the session signs.
 */
export async function assumeRoleWithPolicy(
  prefix: string,
  policy: object,
  managed: object[] = [],
): Promise<RoleSession> {
  const config = { endpoint: s3Endpoint(), region: 'us-east-1', credentials: ADMIN };
  const iam = new IAMClient(config);
  const sts = new STSClient(config);
  try {
    const name = `${prefix}-${randomBytes(3).toString('hex')}`;
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::123456789012:root' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'policy',
        PolicyDocument: JSON.stringify(policy),
      }),
    );
    for (const [i, document] of managed.entries()) {
      const { Policy } = await iam.send(
        new CreatePolicyCommand({
          PolicyName: `${name}-${String(i)}`,
          PolicyDocument: JSON.stringify(document),
        }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: Policy!.Arn }));
    }
    const { Credentials, AssumedRoleUser } = await sts.send(
      new AssumeRoleCommand({ RoleArn: Role!.Arn, RoleSessionName: 'rig' }),
    );
    return {
      arn: AssumedRoleUser!.Arn!,
      roleArn: Role!.Arn!,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    };
  } finally {
    iam.destroy();
    sts.destroy();
  }
}

import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Where a call acts: as whom and in which region. Without `roleArn` the operator acts with its own
 * credentials (the SDK's default chain); with it, as that role, assumed with STS under `sessionName`
 * (which names the tenant in CloudTrail).
 */
export interface AwsScope {
  readonly region: string;
  readonly roleArn?: string | undefined;
  readonly sessionName?: string | undefined;
}

/** One key per identity and region: clients, sweeps and listings are kept apart by it. */
export function scopeKey(scope: AwsScope): string {
  return `${scope.roleArn ?? ''}|${scope.sessionName ?? ''}|${scope.region}`;
}

/** The account of an IAM role ARN (`arn:<partition>:iam::<account>:role/<path/name>`). */
export function accountOfRole(roleArn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1];
}

export interface AssumedRoleSettings {
  /** Lifetime asked of STS; 900 s is its minimum, one hour the default maximum of a role. */
  readonly durationSeconds: number;
  /** Credentials this close to expiry are replaced before they are used again. */
  readonly refreshBeforeMs: number;
  /** The operator's clock, replaceable so that tests can move past an expiry. */
  readonly now?: () => number;
}

const DEFAULT_SETTINGS: AssumedRoleSettings = { durationSeconds: 3600, refreshBeforeMs: 300_000 };

interface CachedCredentials {
  credentials?: AwsCredentialIdentity & { expiration: Date };
  /** The AssumeRole call in flight: concurrent requests share it. */
  pending?: Promise<AwsCredentialIdentity & { expiration: Date }>;
}

/**
 * Credentials of assumed roles, one set per role and session name, cached and replaced before they
 * expire; the caller's own account, asked of STS once.
 */
export class AssumedRoles {
  private readonly cache = new Map<string, CachedCredentials>();
  private ownAccount: Promise<string> | undefined;
  private readonly settings: AssumedRoleSettings;

  constructor(
    private readonly sts: STSClient,
    settings: Partial<AssumedRoleSettings> = {},
  ) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  /** The SDK's credential provider for `roleArn` assumed as `sessionName`. */
  provider(roleArn: string, sessionName: string): AwsCredentialIdentityProvider {
    return () => this.credentials(roleArn, sessionName);
  }

  async credentials(roleArn: string, sessionName: string): Promise<AwsCredentialIdentity> {
    const key = `${roleArn}|${sessionName}`;
    let entry = this.cache.get(key);
    if (!entry) this.cache.set(key, (entry = {}));
    const now = (this.settings.now ?? Date.now)();
    const current = entry.credentials;
    if (current && current.expiration.getTime() - now > this.settings.refreshBeforeMs) return current;
    const cached = entry;
    cached.pending ??= this.assume(roleArn, sessionName).finally(() => {
      cached.pending = undefined;
    });
    cached.credentials = await cached.pending;
    return cached.credentials;
  }

  /** The account the operator's own credentials belong to. */
  async callerAccount(): Promise<string> {
    this.ownAccount ??= this.sts.send(new GetCallerIdentityCommand({})).then(
      (answer) => {
        if (!answer.Account) throw new Error('STS GetCallerIdentity answered without an account');
        return answer.Account;
      },
      (err: unknown) => {
        this.ownAccount = undefined;
        throw err;
      },
    );
    return this.ownAccount;
  }

  private async assume(
    roleArn: string,
    sessionName: string,
  ): Promise<AwsCredentialIdentity & { expiration: Date }> {
    const answer = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: this.settings.durationSeconds,
      }),
    );
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.Expiration)
      throw new Error(`STS AssumeRole of ${roleArn} answered without credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      expiration: c.Expiration,
    };
  }
}

/**
 * Who calls, and whether IAM lets them: the caller is the principal moto's STS names for the
 * request's access key id (GetCallerIdentity; moto checks no signature), and its identity-based
 * policies are the inline and attached policies moto's IAM holds for that role or user. moto keeps
 * an IAM per account and picks it by the access key, so policies are read with the caller's own key:
 * a role of another account is looked up in that account.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ApiError } from './errors.js';
import type { AuthorizationRequest, PolicyDocument } from './iam-policy.js';
import { evaluate } from './iam-policy.js';

export interface IamOptions {
  /** moto's server, which serves IAM and STS (the rig's S3 endpoint). */
  endpoint: string;
  region?: string;
}

/**
 * Policies are read again after this long: a policy changed in IAM takes effect within a second,
 * as IAM's own changes take a few seconds to propagate.
 */
const POLICY_TTL_MS = 1000;

interface Principal {
  arn: string;
  /** Where its policies are: an assumed role's role, an IAM user, or nothing (moto's default caller). */
  holder?: { kind: 'role' | 'user'; name: string };
}

/** `arn:aws:sts::1:assumed-role/Role/session` → role `Role`; `arn:aws:iam::1:user/path/Name` → user `Name`. */
function holderOf(arn: string): Principal['holder'] {
  const role = /^arn:[^:]+:sts::\d+:assumed-role\/([^/]+)\//.exec(arn);
  if (role) return { kind: 'role', name: role[1]! };
  const user = /^arn:[^:]+:iam::\d+:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  return user ? { kind: 'user', name: user[1]! } : undefined;
}

/** IAM answers policy documents URL-encoded (moto may not). */
const parseDocument = (text: string | undefined): PolicyDocument => {
  const raw = text ?? '{"Statement":[]}';
  return JSON.parse(raw.trimStart().startsWith('{') ? raw : decodeURIComponent(raw)) as PolicyDocument;
};

export class IamAuthorizer {
  /** A key's principal never changes, so it is resolved once. */
  private readonly principals = new Map<string, Promise<Principal>>();
  private readonly policies = new Map<string, { at: number; documents: Promise<PolicyDocument[]> }>();

  constructor(private readonly options: IamOptions) {}

  /** A client of moto's server signed with the caller's access key id (moto checks no signature). */
  private clientConfig(accessKeyId: string) {
    return {
      endpoint: this.options.endpoint,
      region: this.options.region ?? 'us-east-1',
      credentials: { accessKeyId, secretAccessKey: 'unchecked' },
    };
  }

  /** The caller's ARN (role session or user), as moto's GetCallerIdentity answers for its access key id. */
  async principal(accessKeyId: string): Promise<string> {
    return (await this.resolve(accessKeyId)).arn;
  }

  private resolve(accessKeyId: string): Promise<Principal> {
    let found = this.principals.get(accessKeyId);
    if (!found) {
      const sts = new STSClient(this.clientConfig(accessKeyId));
      found = sts
        .send(new GetCallerIdentityCommand({}))
        .then(({ Arn }) => ({ arn: Arn ?? '', holder: holderOf(Arn ?? '') }))
        .finally(() => {
          sts.destroy();
        });
      found.catch(() => this.principals.delete(accessKeyId));
      this.principals.set(accessKeyId, found);
    }
    return found;
  }

  /**
   * Throws SageMaker's AccessDeniedException when the caller's policies deny the request, or allow
   * it nowhere. A caller without any policy (the rig's `test` keys) is not restricted: the emulator
   * stands in for an account whose callers are not all modelled in IAM.
   */
  async authorize(accessKeyId: string, request: AuthorizationRequest): Promise<void> {
    const principal = await this.resolve(accessKeyId);
    if (!principal.holder) return;
    const documents = await this.documents(principal.arn, principal.holder, accessKeyId);
    if (documents.length === 0) return;
    const decision = evaluate(documents, request);
    if (decision === 'allow') return;
    const why =
      decision === 'explicitDeny'
        ? 'with an explicit deny in an identity-based policy'
        : `because no identity-based policy allows the ${request.action} action`;
    throw new ApiError(
      'AccessDeniedException',
      `User: ${principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}`,
    );
  }

  private documents(
    arn: string,
    holder: NonNullable<Principal['holder']>,
    accessKeyId: string,
  ): Promise<PolicyDocument[]> {
    const cached = this.policies.get(arn);
    if (cached && Date.now() - cached.at < POLICY_TTL_MS) return cached.documents;
    const iam = new IAMClient(this.clientConfig(accessKeyId));
    const documents = this.read(iam, holder).finally(() => {
      iam.destroy();
    });
    documents.catch((): void => {
      this.policies.delete(arn);
    });
    this.policies.set(arn, { at: Date.now(), documents });
    return documents;
  }

  private async read(iam: IAMClient, holder: NonNullable<Principal['holder']>): Promise<PolicyDocument[]> {
    try {
      const [inline, attached] =
        holder.kind === 'role'
          ? await Promise.all([
              iam.send(new ListRolePoliciesCommand({ RoleName: holder.name })),
              iam.send(new ListAttachedRolePoliciesCommand({ RoleName: holder.name })),
            ])
          : await Promise.all([
              iam.send(new ListUserPoliciesCommand({ UserName: holder.name })),
              iam.send(new ListAttachedUserPoliciesCommand({ UserName: holder.name })),
            ]);
      const inlineDocuments = (inline.PolicyNames ?? []).map(async (PolicyName) => {
        const answer =
          holder.kind === 'role'
            ? await iam.send(new GetRolePolicyCommand({ RoleName: holder.name, PolicyName }))
            : await iam.send(new GetUserPolicyCommand({ UserName: holder.name, PolicyName }));
        return parseDocument(answer.PolicyDocument);
      });
      const attachedDocuments = (attached.AttachedPolicies ?? []).map(async ({ PolicyArn }) => {
        const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn }));
        const { PolicyVersion } = await iam.send(
          new GetPolicyVersionCommand({ PolicyArn, VersionId: Policy?.DefaultVersionId }),
        );
        return parseDocument(PolicyVersion?.Document);
      });
      return await Promise.all([...inlineDocuments, ...attachedDocuments]);
    } catch (error) {
      // A role assumed without being created (moto's STS allows it) has no policies.
      if (error instanceof NoSuchEntityException) return [];
      throw error;
    }
  }
}

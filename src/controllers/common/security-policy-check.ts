import type { PolicySite } from '../../crds/policy-sites.js';
import { checkedPath, checksAt, inForce, renderMessage, type MessagePart } from '../../crds/policy-rules.js';
import type { SecurityPolicySpec } from '../../crds/security-policy.js';

/** A SecurityPolicy as the check reads it: its name (for messages) and its spec. */
export interface NamedPolicy {
  readonly name: string;
  readonly spec: SecurityPolicySpec;
}

type Json = Record<string, unknown>;

function child(value: unknown, step: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Json)[step] : undefined;
}

function follow(value: unknown, steps: readonly string[]): unknown {
  return steps.reduce(child, value);
}

/** The objects at the site's scope: every item of every list on the way, where they exist. */
function scopes(value: unknown, site: PolicySite): unknown[] {
  let bases = [value];
  for (const list of site.lists) {
    bases = bases.flatMap((base) => {
      const items = follow(base, list);
      return Array.isArray(items) ? (items as unknown[]) : [];
    });
  }
  return bases.map((base) => follow(base, site.scope)).filter((scope) => scope !== undefined);
}

/**
 * What `value` (a spec, or a request in the spec's spelling) breaks of the policy, as the admission
 * policy words it (one message per member and setting, in the order the admission policy checks
 * them), each naming the member by its path as `spell` writes it (`models[].vpcConfig.subnets` in
 * the spec's spelling).
 */
export function policyViolations(
  value: unknown,
  sites: readonly PolicySite[],
  policy: NamedPolicy,
  spell: (path: string) => string,
): string[] {
  const fill = (part: Exclude<MessagePart, string>): string => {
    if ('policyName' in part) return policy.name;
    const setting = policy.spec[part.setting];
    return Array.isArray(setting) ? setting.join(', ') : String(setting);
  };
  return sites.flatMap((site) =>
    checksAt(site)
      .filter((check) => inForce(policy.spec, check.setting))
      .filter((check) =>
        scopes(value, site).some((scope) => {
          const member = follow(scope, site.member);
          if (member === undefined) return check.requiresPresence && site.demanded;
          return !check.accepts(member, policy.spec);
        }),
      )
      .map((check) => renderMessage(spell(checkedPath(site, check)), check, fill)),
  );
}

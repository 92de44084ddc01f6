import { type PolicySite } from '../../crds/policy-sites.js';
import { checksAt, inForce, renderMessage, type MessagePart } from '../../crds/policy-rules.js';
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
function scopes(spec: unknown, site: PolicySite): unknown[] {
  let bases = [spec];
  for (const list of site.lists) {
    bases = bases.flatMap((base) => {
      const items = follow(base, list);
      return Array.isArray(items) ? (items as unknown[]) : [];
    });
  }
  return bases.map((base) => follow(base, site.scope)).filter((scope) => scope !== undefined);
}

/**
 * What the spec breaks of the policy, as the admission policy words it (one message per member and
 * setting, in the order the admission policy checks them): the operator's re-check before a create,
 * for objects admitted before the policy changed.
 */
export function policyViolations(spec: unknown, sites: readonly PolicySite[], policy: NamedPolicy): string[] {
  const fill = (part: Exclude<MessagePart, string>): string => {
    if ('policyName' in part) return policy.name;
    const value = policy.spec[part.setting];
    return Array.isArray(value) ? value.join(', ') : String(value);
  };
  return sites.flatMap((site) =>
    checksAt(site)
      .filter((check) => inForce(policy.spec, check.setting))
      .filter((check) =>
        scopes(spec, site).some((scope) => {
          const value = follow(scope, site.member);
          if (value === undefined) return check.requiresPresence && site.demanded;
          return !check.accepts(value, policy.spec);
        }),
      )
      .map((check) => renderMessage(site, check, fill)),
  );
}

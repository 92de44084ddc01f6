import { ALL_KINDS, securityPolicy } from '../../crds/index.js';
import { policySitesByKind } from '../../crds/policy-sites.js';
import type { SecurityPolicySpec } from '../../crds/security-policy.js';
import {
  ReconcileError,
  type KubeObject,
  type ReconcileContext,
  type Reference,
} from '../../runtime/index.js';
import { descriptorOf } from './kinds.js';
import { policyViolations } from './security-policy-check.js';

/*
 * The operator's side of the SecurityPolicies (docs/security.md): the apiserver checks objects at
 * apply time; the operator checks them again before any create, since a policy may have been
 * tightened after an object was admitted. The SecurityPolicies are watched through the cache, and
 * a change requeues every object of the namespace, so an object held back by a policy goes ahead
 * once the policy allows it (and is held back if a create is still to come when it no longer does).
 */

type SecurityPolicyObject = KubeObject & { spec?: SecurityPolicySpec };

const SECURITY_POLICIES = descriptorOf<SecurityPolicyObject>(securityPolicy);

/** Where each kind's spec holds what the policies read: the same table the admission policy is generated from. */
const SITES = policySitesByKind(ALL_KINDS);

/** Any SecurityPolicy of an object's namespace bears on it: every controller refers to them. */
export const SECURITY_POLICY_REFERENCE: Reference<KubeObject> = {
  kind: SECURITY_POLICIES,
  names: () => [],
  selects: () => true,
};

/**
 * Before a create: Ready=False and a terminal `PolicyViolation` (Synced=False, one Warning event,
 * no SageMaker call) when the object breaks a SecurityPolicy of its namespace, with the message
 * the admission policy would have given.
 */
export function enforceSecurityPolicies(
  ctx: Pick<ReconcileContext<unknown>, 'cache' | 'status'>,
  kind: string,
  obj: { metadata: { namespace: string }; spec: unknown },
): void {
  const sites = SITES.get(kind) ?? [];
  if (sites.length === 0) return;
  const violations = ctx.cache
    .list(SECURITY_POLICIES, obj.metadata.namespace)
    .flatMap((policy) =>
      policyViolations(obj.spec, sites, { name: policy.metadata?.name ?? '', spec: policy.spec ?? {} }),
    );
  if (violations.length === 0) return;
  const message = violations.join('; ');
  ctx.status.setCondition('Ready', 'False', 'PolicyViolation', message);
  throw new ReconcileError('terminal', 'PolicyViolation', message);
}

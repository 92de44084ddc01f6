import { AsyncLocalStorage } from 'node:async_hooks';
import { securityPolicy } from '../../crds/index.js';
import { policySites, type PolicySite } from '../../crds/policy-sites.js';
import type { SecurityPolicySpec } from '../../crds/security-policy.js';
import { REQUEST_SHAPES } from '../../crds/shapes/sagemaker.generated.js';
import {
  ReconcileError,
  type KubeObject,
  type ReconcileContext,
  type Reference,
} from '../../runtime/index.js';
import { descriptorOf } from '../../crds/kind.js';
import { capitalise } from './sagemaker-shape.js';
import { policyViolations } from './security-policy-check.js';

/*
 * The operator's side of the SecurityPolicies (docs/security.md): the apiserver checks objects at
 * apply time; the operator checks every create request it sends to SageMaker, as it is sent: a
 * policy may have been tightened after an object was admitted, and much of what the operator
 * creates is derived from a spec rather than written in it (an Endpoint's models and configs, a
 * schedule's baselining job and job definitions, a transform job's model). The check sits in the
 * SageMaker clients, so no create escapes it: one sent outside a reconcile is refused. The
 * SecurityPolicies are watched through the cache, and a change requeues every object of the
 * namespace, so an object held back by a policy goes ahead once the policy allows it.
 */

type SecurityPolicyObject = KubeObject & { spec?: SecurityPolicySpec };

const SECURITY_POLICIES = descriptorOf<SecurityPolicyObject>(securityPolicy);

/** Any SecurityPolicy of an object's namespace bears on it: every controller refers to them. */
export const SECURITY_POLICY_REFERENCE: Reference<KubeObject> = {
  kind: SECURITY_POLICIES,
  names: () => [],
  selects: () => true,
};

/**
 * Where each request the operator sends holds what the policies read, by operation: the request
 * shapes of the SageMaker model, walked as the kinds' specs are (src/crds/policy-sites.ts).
 */
export const REQUEST_SITES: ReadonlyMap<string, readonly PolicySite[]> = new Map(
  Object.entries(REQUEST_SHAPES).map(([operation, shape]) => [operation, policySites(shape)]),
);

/** A request in the spec's spelling: SageMaker's member names are the spec's, capitalised. */
function inSpecSpelling(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inSpecSpelling);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([member, v]) => [
      member.charAt(0).toLowerCase() + member.slice(1),
      inSpecSpelling(v),
    ]),
  );
}

/** A request member's path by SageMaker's names: `CreateModel.VpcConfig.Subnets`. */
const requestPath = (operation: string) => (path: string) =>
  `${operation}.${path.split('.').map(capitalise).join('.')}`;

/** The object a reconcile works for: its creates are checked against its namespace's policies. */
interface Reconciling {
  readonly ctx: Pick<ReconcileContext<unknown>, 'cache' | 'status'>;
  readonly namespace: string;
}

const reconciling = new AsyncLocalStorage<Reconciling>();

/** Runs a reconcile (or finalize) of `obj`: every SageMaker request it makes is checked by checkRequest. */
export function underSecurityPolicies<T>(
  ctx: Reconciling['ctx'],
  obj: { metadata?: { namespace?: string } },
  work: () => T,
): T {
  return reconciling.run({ ctx, namespace: obj.metadata?.namespace ?? '' }, work);
}

/**
 * Asked with every SageMaker request before it is sent: a request that breaks a SecurityPolicy of
 * the namespace of the object being reconciled is not sent. Instead, Ready=False and a terminal
 * `PolicyViolation` (Synced=False, one Warning event), naming each member of the request that
 * breaks a rule (`CreateModel.VpcConfig is required: ...`), worded as the admission policy words it.
 * A create the operator could not check (sent outside a reconcile, or of an unknown shape) is refused.
 */
export function checkRequest(operation: string, request: unknown): void {
  const sites = REQUEST_SITES.get(operation);
  const object = reconciling.getStore();
  if (sites === undefined && !operation.startsWith('Create')) return;
  if (sites === undefined || object === undefined)
    throw new Error(
      `${operation} was not sent: the operator sends creates only from a reconcile, of request shapes whose SecurityPolicy sites it knows`,
    );
  const violations = object.ctx.cache
    .list(SECURITY_POLICIES, object.namespace)
    .flatMap((policy) =>
      policyViolations(
        inSpecSpelling(request),
        sites,
        { name: policy.metadata?.name ?? '', spec: policy.spec ?? {} },
        requestPath(operation),
      ),
    );
  if (violations.length === 0) return;
  const message = violations.join('; ');
  object.ctx.status.setCondition('Ready', 'False', 'PolicyViolation', message);
  throw new ReconcileError('terminal', 'PolicyViolation', message);
}

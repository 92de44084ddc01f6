import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  KubernetesObjectApi,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { policySites, type PolicySite } from '../../../src/crds/policy-sites.js';
import type { SecurityPolicySpec } from '../../../src/crds/security-policy.js';
import { customObjects } from '../support/cluster.js';
import { renderChart } from '../helm/chart.js';

export const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';

/** Every setting in force; the MINIMAL_SPECS role, instance types and counts are within it. */
export const STRICT: SecurityPolicySpec = {
  requireVpc: true,
  allowedSubnets: ['subnet-a', 'subnet-b'],
  allowedSecurityGroupIds: ['sg-a'],
  requireNetworkIsolation: true,
  requireInterContainerTrafficEncryption: true,
  requireVolumeKmsKey: true,
  allowedVolumeKmsKeys: ['alias/volume'],
  requireOutputKmsKey: true,
  allowedOutputKmsKeys: ['alias/output'],
  allowedInstanceTypes: ['ml.m5.large', 'ml.m5.xlarge'],
  maxInstanceCount: 2,
  maxRuntimeInSeconds: 1800,
  allowedRoleArns: ['arn:aws:iam::123456789012:role/SageMaker*'],
};

/**
 * The chart's admission policy and binding, as helm renders them for a release whose binding
 * selects the namespaces labelled `policyLabel=<release>`, created in the rig's apiserver. Other
 * test files share the apiserver: no namespace of theirs carries the label.
 */
export class Admission {
  private constructor(
    private readonly kc: KubeConfig,
    readonly release: string,
    private readonly objects: KubernetesObject[],
  ) {}

  static readonly label = 'security-policy-test';

  static async install(kc: KubeConfig, withoutPolicy: 'Allow' | 'Deny'): Promise<Admission> {
    const release = `sp-${randomBytes(3).toString('hex')}`;
    const rendered = await renderChart(
      {
        securityPolicy: { withoutPolicy, namespaceSelector: { matchLabels: { [Admission.label]: release } } },
      },
      { release },
    );
    const objects = rendered.filter((obj) => obj.kind?.startsWith('ValidatingAdmissionPolicy'));
    const api = KubernetesObjectApi.makeApiClient(kc);
    for (const obj of objects) await api.create(obj);
    return new Admission(kc, release, objects);
  }

  /** Puts the namespace under this release's binding. */
  async cover(namespace: string): Promise<void> {
    await this.kc.makeApiClient(CoreV1Api).patchNamespace({
      name: namespace,
      body: [{ op: 'add', path: `/metadata/labels/${Admission.label}`, value: this.release }],
    });
  }

  async uninstall(): Promise<void> {
    const api = KubernetesObjectApi.makeApiClient(this.kc);
    for (const obj of [...this.objects].reverse()) await api.delete(obj);
  }
}

export async function applyPolicy(
  kc: KubeConfig,
  namespace: string,
  name: string,
  spec: SecurityPolicySpec,
): Promise<void> {
  const api = customObjects(kc);
  const body = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'SecurityPolicy',
    metadata: { name, namespace },
    spec,
  };
  try {
    const current = (await api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'securitypolicies',
      name,
    })) as { metadata: { resourceVersion: string } };
    await api.replaceNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'securitypolicies',
      name,
      body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } },
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'securitypolicies',
      body,
    });
  }
}

type Json = Record<string, unknown>;

/** The objects at a site's scope that exist in `spec` (the first item of each list on the way). */
function scopesOf(spec: Json, site: PolicySite): Json[] {
  let bases: Json[] = [spec];
  for (const list of site.lists) {
    bases = bases.flatMap((base) => {
      const items = get(base, list);
      return Array.isArray(items) ? (items as Json[]) : [];
    });
  }
  return bases
    .map((base) => get(base, site.scope))
    .filter((s): s is Json => typeof s === 'object' && s !== null);
}

function get(value: unknown, steps: readonly string[]): unknown {
  return steps.reduce<unknown>(
    (v, step) => (typeof v === 'object' && v !== null ? (v as Json)[step] : undefined),
    value,
  );
}

function set(target: Json, steps: readonly string[], value: unknown): void {
  let at = target;
  for (const step of steps.slice(0, -1)) at = (at[step] ??= {}) as Json;
  const last = steps.at(-1) ?? '';
  if (value === undefined) Reflect.deleteProperty(at, last);
  else at[last] = value;
}

/** What a site gets in a spec that satisfies STRICT, given what is there (a vpcConfig given is kept). */
function compliantValue(site: PolicySite, current: unknown): unknown {
  switch (site.rule) {
    case 'vpc':
      return current ?? { subnets: ['subnet-a'], securityGroupIds: ['sg-a'] };
    case 'networkIsolation':
    case 'interContainerTrafficEncryption':
      return true;
    case 'volumeKmsKey':
      return 'alias/volume';
    case 'outputKmsKey':
      return 'alias/output';
    case 'maxRuntime':
      return STRICT.maxRuntimeInSeconds;
    default:
      return current;
  }
}

/**
 * The spec made to satisfy STRICT from the kind's table (the same derivation the admission policy
 * comes from): every member a site demands is set, the rest left as the spec has them.
 */
export function compliant(kindSpec: Parameters<typeof policySites>[0], spec: Json): Json {
  const result = structuredClone(spec);
  for (const site of policySites(kindSpec)) {
    for (const scope of scopesOf(result, site)) {
      const current = get(scope, site.member);
      if (current === undefined && !site.demanded) continue;
      set(scope, site.member, compliantValue(site, current));
    }
  }
  return result;
}

/** One way to break the site under STRICT, or undefined when the spec has no such member to break. */
export function broken(site: PolicySite, spec: Json, setting: keyof SecurityPolicySpec): Json | undefined {
  const result = structuredClone(spec);
  const scope = scopesOf(result, site)[0];
  if (scope === undefined) return undefined;
  const current = get(scope, site.member);
  if (current === undefined) return undefined;
  const replacement: Partial<Record<keyof SecurityPolicySpec, unknown>> = {
    requireVpc: undefined,
    allowedSubnets: { ...(current as Json), subnets: ['subnet-z'] },
    allowedSecurityGroupIds: { ...(current as Json), securityGroupIds: ['sg-z'] },
    requireNetworkIsolation: false,
    requireInterContainerTrafficEncryption: false,
    requireVolumeKmsKey: undefined,
    allowedVolumeKmsKeys: 'alias/other',
    requireOutputKmsKey: undefined,
    allowedOutputKmsKeys: 'alias/other',
    allowedInstanceTypes: 'ml.c5.xlarge',
    maxInstanceCount: 3,
    maxRuntimeInSeconds: (STRICT.maxRuntimeInSeconds ?? 0) + 1,
    allowedRoleArns: 'arn:aws:iam::999999999999:role/Admin',
  };
  set(scope, site.member, replacement[setting]);
  return result;
}

/**
 * Retries `check` until it passes: the apiserver loads admission policies, bindings and their
 * params through informers, so a change takes effect a moment after it is written.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

import type { TSchema } from '@sinclair/typebox';

/*
 * Where in a kind's spec the SecurityPolicy rules apply, found by walking the kind's schema for the
 * SageMaker members the IAM condition keys read (lowerCamel, as every spec spells them). The
 * admission policy's CEL (admission-policy.ts) comes from the kinds' tables, so a kind added to
 * ALL_KINDS is covered without a line of its own; the operator's re-check of every create request
 * it sends (controllers/common/security-policies.ts) walks the request shapes the same way.
 */

export type PolicyRule =
  | 'vpc'
  | 'networkIsolation'
  | 'interContainerTrafficEncryption'
  | 'volumeKmsKey'
  | 'outputKmsKey'
  | 'instanceType'
  | 'instanceCount'
  | 'maxRuntime'
  | 'role';

/**
 * One member a rule reads. Its path from the spec is `lists` (each a run of steps ending at a
 * list, whose every item is then looked into), then `scope`, then `member`.
 */
export interface PolicySite {
  readonly rule: PolicyRule;
  readonly lists: readonly (readonly string[])[];
  /** From the last list item (or the spec) to the object that must carry the member once it exists. */
  readonly scope: readonly string[];
  /** From the scope to the member. */
  readonly member: readonly string[];
  /**
   * Whether a rule that requires the member (requireVpc, requireNetworkIsolation, ...) finds it
   * missing when the scope exists without it. False for rules that never require (allowed lists,
   * maxima), and for network members outside any request that runs containers (an endpoint
   * config's vpcConfig: its models carry theirs).
   */
  readonly demanded: boolean;
}

/** Members that hold a role SageMaker acts as. */
const ROLE_MEMBERS = new Set(['roleArn', 'executionRoleArn', 'validationRole']);

/** Rules that can require their member to be present (requireVpc, ...). */
const DEMANDABLE = new Set<PolicyRule>([
  'vpc',
  'networkIsolation',
  'interContainerTrafficEncryption',
  'volumeKmsKey',
  'outputKmsKey',
  'maxRuntime',
]);

/**
 * Demandable rules whose member is demanded of the whole request (the one that runs containers), not
 * only of its parent: a missing networkConfig or stoppingCondition does not excuse a missing
 * vpcConfig or maxRuntimeInSeconds, whereas a missing output config means no output to encrypt.
 */
const SCOPED_AT_REQUEST = new Set<PolicyRule>([
  'vpc',
  'networkIsolation',
  'interContainerTrafficEncryption',
  'maxRuntime',
]);

/**
 * The rule a member serves, by its SageMaker name and where it sits:
 * - KmsKeyId encrypts outputs when its parent is an output config (OutputDataConfig,
 *   ProcessingOutputConfig, TransformOutput, MonitoringOutputConfig, AsyncInference OutputConfig)
 *   or a data capture config (DestinationS3Uri), and the storage volumes when it sits beside
 *   ProductionVariants (CreateEndpointConfig).
 */
function ruleOf(
  member: string,
  parentName: string,
  parent: TSchema,
  schema: TSchema,
): PolicyRule | undefined {
  const properties = (parent.properties ?? {}) as Record<string, TSchema>;
  switch (member) {
    case 'vpcConfig':
      return schema.type === 'object' ? 'vpc' : undefined;
    case 'enableNetworkIsolation':
      return 'networkIsolation';
    case 'enableInterContainerTrafficEncryption':
      return 'interContainerTrafficEncryption';
    case 'volumeKmsKeyId':
      return 'volumeKmsKey';
    case 'kmsKeyId':
      if (/output/i.test(parentName) || 'destinationS3Uri' in properties) return 'outputKmsKey';
      return 'productionVariants' in properties ? 'volumeKmsKey' : undefined;
    case 'instanceType':
      return 'instanceType';
    case 'instanceCount':
    case 'initialInstanceCount':
      return 'instanceCount';
    case 'maxRuntimeInSeconds':
      return 'maxRuntime';
    default:
      return ROLE_MEMBERS.has(member) ? 'role' : undefined;
  }
}

/**
 * Whether the object is a request that runs containers of its own: it passes a role. An endpoint
 * config (productionVariants) passes one for inference components, but runs the containers of the
 * models it names, which carry their own network settings.
 */
function runsContainers(schema: TSchema): boolean {
  const members = Object.keys((schema.properties ?? {}) as object);
  return members.some((member) => ROLE_MEMBERS.has(member)) && !members.includes('productionVariants');
}

interface Found {
  rule: PolicyRule;
  lists: string[][];
  /** Steps after the last list item, and how many of them lead to the nearest request (one that runs containers). */
  tail: string[];
  requestDepth: number | undefined;
}

function walk(
  schema: TSchema,
  lists: string[][],
  tail: string[],
  requestDepth: number | undefined,
  found: Found[],
): void {
  const here = runsContainers(schema) ? tail.length : requestDepth;
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  for (const [member, child] of Object.entries(properties)) {
    const rule = ruleOf(member, tail.at(-1) ?? '', schema, child);
    const steps = [...tail, member];
    if (rule) found.push({ rule, lists, tail: steps, requestDepth: here });
    if (child.type === 'array' && child.items) {
      const items = child.items as TSchema;
      walk(items, [...lists, steps], [], runsContainers(items) ? 0 : undefined, found);
    } else if (child.type === 'object' && rule !== 'vpc') {
      walk(child, lists, steps, here, found);
    }
  }
}

/** The sites of one kind's spec schema, in schema order. */
export function policySites(spec: TSchema): PolicySite[] {
  const found: Found[] = [];
  walk(spec, [], [], undefined, found);
  return found.map((f): PolicySite => {
    const atRequest = SCOPED_AT_REQUEST.has(f.rule);
    const scopeLength = atRequest ? (f.requestDepth ?? f.tail.length - 1) : f.tail.length - 1;
    return {
      rule: f.rule,
      lists: f.lists,
      scope: f.tail.slice(0, scopeLength),
      member: f.tail.slice(scopeLength),
      // A network member or a maximum runtime outside any request that runs containers is checked only when set.
      demanded: DEMANDABLE.has(f.rule) && (!atRequest || f.requestDepth !== undefined),
    };
  });
}

function stepsOf(lists: readonly (readonly string[])[], tail: readonly string[]): string[] {
  return [...lists.flatMap((steps) => [...steps, '[]']), ...tail];
}

/** The site's path in the spec, `[]` marking list items: `models[].vpcConfig`. */
export function sitePath(site: PolicySite): string {
  return stepsOf(site.lists, [...site.scope, ...site.member])
    .join('.')
    .replaceAll('.[]', '[]');
}

/** Every kind's sites, by kind name. */
export function policySitesByKind(
  kinds: readonly { kind: string; spec: TSchema }[],
): ReadonlyMap<string, readonly PolicySite[]> {
  return new Map(kinds.map((kind) => [kind.kind, policySites(kind.spec)]));
}

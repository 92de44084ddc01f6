import { sitePath, type PolicyRule, type PolicySite } from './policy-sites.js';
import type { SecurityPolicySpec } from './security-policy.js';

/*
 * What each SecurityPolicy setting asks of a member, once, for both checkers: the admission policy
 * renders `cel` and the message into CEL (admission-policy.ts); the operator evaluates `accepts`
 * and renders the same message (controllers/common/security-policy-check.ts).
 */

export type Setting = keyof SecurityPolicySpec;

/** A message as text and the policy's values, so each checker can fill them in its own way. */
export type MessagePart = string | { readonly policyName: true } | { readonly setting: Setting };

export interface SettingCheck {
  readonly setting: Setting;
  /** Whether the setting requires the member to be present where the site demands it. */
  readonly requiresPresence: boolean;
  /** Whether presence is all it asks (then a site that demands nothing has nothing to check). */
  readonly onlyPresence?: true;
  /** The part of the member's value the setting reads, when not all of it: a vpcConfig's `subnets`. */
  readonly part?: string;
  /** Whether the member's value satisfies the setting (called only when the setting is set). */
  accepts(value: unknown, policy: SecurityPolicySpec): boolean;
  /** The same, in CEL, of the member at `value`, with the policy's spec at `params.spec`. */
  cel(value: string): string;
  /** What is wrong, after the field's path. */
  readonly message: readonly MessagePart[];
}

const name = { policyName: true } as const;
const settingValue = (setting: Setting) => ({ setting }) as const;

/** The setting's allowed values, for messages and CEL. */
function allowedList(setting: Setting, what: string, member?: string): SettingCheck {
  const values = (value: unknown): unknown[] =>
    member === undefined ? [value] : ((value as Record<string, unknown>)[member] as unknown[]);
  const list = `params.spec.${setting}`;
  return {
    setting,
    requiresPresence: false,
    ...(member !== undefined && { part: member }),
    accepts: (value, policy) =>
      values(value).every((v) => (policy[setting] as unknown[] | undefined)?.includes(v) ?? true),
    cel: (value) =>
      member === undefined ? `${value} in ${list}` : `${value}.${member}.all(v, v in ${list})`,
    message: [
      ` must use ${what} that SecurityPolicy `,
      name,
      ` allows in ${setting}: `,
      settingValue(setting),
    ],
  };
}

function mustBeTrue(setting: Setting): SettingCheck {
  return {
    setting,
    requiresPresence: true,
    accepts: (value) => value === true,
    cel: (value) => `${value} == true`,
    message: [' must be true: SecurityPolicy ', name, ` sets ${setting}`],
  };
}

function required(setting: Setting): SettingCheck {
  return {
    setting,
    requiresPresence: true,
    onlyPresence: true,
    accepts: () => true,
    cel: () => 'true',
    message: [' is required: SecurityPolicy ', name, ` sets ${setting}`],
  };
}

function atMost(
  setting: 'maxInstanceCount' | 'maxRuntimeInSeconds',
  requiresPresence: boolean,
): SettingCheck {
  return {
    setting,
    requiresPresence,
    accepts: (value, policy) => typeof value === 'number' && value <= (policy[setting] ?? Infinity),
    cel: (value) => `${value} <= params.spec.${setting}`,
    message: [
      requiresPresence ? ' must be set to at most ' : ' must be at most ',
      settingValue(setting),
      ': SecurityPolicy ',
      name,
      ` sets ${setting}`,
    ],
  };
}

/** A role pattern as an anchored regular expression: `*` matches anything, the rest is literal. */
export function rolePatternRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.replaceAll('.', '\\.').replaceAll('+', '\\+').replaceAll('*', '.*')}$`);
}

const roles: SettingCheck = {
  setting: 'allowedRoleArns',
  requiresPresence: false,
  accepts: (value, policy) =>
    policy.allowedRoleArns?.some((pattern) => rolePatternRegex(pattern).test(String(value))) ?? true,
  // The same translation as rolePatternRegex; the CRD allows no other regex metacharacter in a pattern.
  cel: (value) =>
    `params.spec.allowedRoleArns.exists(p, ${value}.matches('^' + p.replace('.', '\\\\.').replace('+', '\\\\+').replace('*', '.*') + '$'))`,
  message: [
    ' must match one of the roles SecurityPolicy ',
    name,
    ' allows in allowedRoleArns: ',
    settingValue('allowedRoleArns'),
  ],
};

/** The settings that read members of each rule. */
const SETTING_CHECKS: Readonly<Record<PolicyRule, readonly SettingCheck[]>> = {
  vpc: [
    required('requireVpc'),
    allowedList('allowedSubnets', 'subnets', 'subnets'),
    allowedList('allowedSecurityGroupIds', 'security groups', 'securityGroupIds'),
  ],
  networkIsolation: [mustBeTrue('requireNetworkIsolation')],
  interContainerTrafficEncryption: [mustBeTrue('requireInterContainerTrafficEncryption')],
  volumeKmsKey: [required('requireVolumeKmsKey'), allowedList('allowedVolumeKmsKeys', 'a KMS key')],
  outputKmsKey: [required('requireOutputKmsKey'), allowedList('allowedOutputKmsKeys', 'a KMS key')],
  instanceType: [allowedList('allowedInstanceTypes', 'an instance type')],
  instanceCount: [atMost('maxInstanceCount', false)],
  maxRuntime: [atMost('maxRuntimeInSeconds', true)],
  role: [roles],
};

/** The checks of a site: all its rule's settings but those that only ask for a presence it does not demand. */
export function checksAt(site: PolicySite): readonly SettingCheck[] {
  return SETTING_CHECKS[site.rule].filter((check) => site.demanded || !check.onlyPresence);
}

/** Whether a setting is in force: a requirement set to true, or any other setting present. */
export function inForce(policy: SecurityPolicySpec, setting: Setting): boolean {
  const value = policy[setting];
  return value !== undefined && value !== false;
}

/** The path of what a check reads, `[]` marking list items: `models[].vpcConfig.subnets`. */
export function checkedPath(site: PolicySite, check: SettingCheck): string {
  return check.part === undefined ? sitePath(site) : `${sitePath(site)}.${check.part}`;
}

/** The message of a check of what is at `path`, with the policy's name and the setting's value filled in by `fill`. */
export function renderMessage(
  path: string,
  check: SettingCheck,
  fill: (part: Exclude<MessagePart, string>) => string,
): string {
  const parts = check.message.map((part) => (typeof part === 'string' ? part : fill(part)));
  return `${path}${parts.join('')}`;
}

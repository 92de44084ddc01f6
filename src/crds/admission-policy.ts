import { stringify } from 'yaml';
import { GROUP, VERSION } from './kind.js';
import { policySites, type PolicySite } from './policy-sites.js';
import { checkedPath, checksAt, type SettingCheck } from './policy-rules.js';
import type { securityPolicy } from './security-policy.js';

/*
 * The chart's ValidatingAdmissionPolicy and its binding: every SageMaker kind is checked at apply
 * time against the SecurityPolicies of its namespace (paramKind), one validation per member and
 * setting, generated from the kinds' schemas (policy-sites.ts) so that a new kind is covered as
 * soon as it is in ALL_KINDS. `npm run crds` writes them into the chart's templates.
 */

/** The chart's template file, written by `npm run crds`. */
export const ADMISSION_TEMPLATE = 'security-policy-admission.yaml';

interface Kind {
  kind: string;
  plural: string;
  spec: Parameters<typeof policySites>[0];
}

/** `has()` of every step from `base`: `has(b.a) && has(b.a.c)`. */
function present(base: string, steps: readonly string[]): string {
  return steps.map((_, i) => `has(${[base, ...steps.slice(0, i + 1)].join('.')})`).join(' && ');
}

function at(base: string, steps: readonly string[]): string {
  return [base, ...steps].join('.');
}

/** The site's check in CEL, from `object.spec`, iterating every list on the way with all(). */
export function siteCel(site: PolicySite, check: SettingCheck): string {
  const demand = check.requiresPresence && site.demanded;
  const inScope = (scope: string): string => {
    const value = check.cel(at(scope, site.member));
    if (check.onlyPresence) return present(scope, site.member);
    return demand
      ? `${present(scope, site.member)} && ${value}`
      : `!(${present(scope, site.member)}) || ${value}`;
  };
  const within = (base: string, depth: number): string => {
    const list = site.lists[depth];
    if (list === undefined) {
      return site.scope.length === 0
        ? inScope(base)
        : `!(${present(base, site.scope)}) || (${inScope(at(base, site.scope))})`;
    }
    const item = `x${String(depth)}`;
    return `!(${present(base, list)}) || ${at(base, list)}.all(${item}, ${within(item, depth + 1)})`;
  };
  return within('object.spec', 0);
}

const celString = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

function celMessage(site: PolicySite, check: SettingCheck): string {
  const [first, ...rest] = check.message;
  const path = `spec.${checkedPath(site, check)}`;
  const leading = typeof first === 'string' ? [`${path}${first}`] : [path, first];
  const pieces = [...leading, ...rest].map((part) => {
    if (part === undefined) return '';
    if (typeof part === 'string') return celString(part);
    if ('policyName' in part) return 'params.metadata.name';
    const value = `params.spec.${part.setting}`;
    return part.setting.startsWith('max') ? `string(${value})` : `${value}.join(', ')`;
  });
  return pieces.join(' + ');
}

function settingInForce(check: SettingCheck): string {
  const value = `params.spec.${check.setting}`;
  return check.setting.startsWith('require') ? `has(${value}) && ${value}` : `has(${value})`;
}

export interface Validation {
  expression: string;
  messageExpression: string;
}

/** One validation per kind, site and setting; a site that demands nothing of a setting has none. */
export function validations(kinds: readonly Kind[]): Validation[] {
  return kinds.flatMap(({ kind, spec }) =>
    policySites(spec).flatMap((site) =>
      checksAt(site).map((check) => ({
        expression: `request.kind.kind != '${kind}' || !(${settingInForce(check)}) || (${siteCel(site, check)})`,
        messageExpression: celMessage(site, check),
      })),
    ),
  );
}

/** Replaced by Helm expressions once the objects are YAML. */
const PLACEHOLDERS = {
  name: '__NAME__',
  labels: '__LABELS__',
  notFound: '__PARAMETER_NOT_FOUND_ACTION__',
  selector: '__NAMESPACE_SELECTOR__',
} as const;

/** The policy and binding as Helm template text. */
export function admissionTemplate(
  kinds: readonly Kind[],
  params: Pick<typeof securityPolicy, 'kind'>,
  header: string,
): string {
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: PLACEHOLDERS.name, labels: PLACEHOLDERS.labels },
    spec: {
      failurePolicy: 'Fail',
      paramKind: { apiVersion: `${GROUP}/${VERSION}`, kind: params.kind },
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [GROUP],
            apiVersions: [VERSION],
            operations: ['CREATE', 'UPDATE'],
            resources: kinds.map((k) => k.plural),
          },
        ],
      },
      // An update that leaves the spec alone (the operator's finalizer, labels) is not checked: an
      // object admitted before its policy changed can still be finalized and deleted.
      matchConditions: [
        {
          name: 'spec-written',
          expression: "request.operation == 'CREATE' || object.spec != oldObject.spec",
        },
      ],
      validations: validations(kinds),
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: PLACEHOLDERS.name, labels: PLACEHOLDERS.labels },
    spec: {
      policyName: PLACEHOLDERS.name,
      validationActions: ['Deny'],
      // Every SecurityPolicy of the object's namespace applies.
      paramRef: { selector: {}, parameterNotFoundAction: PLACEHOLDERS.notFound },
      matchResources: { namespaceSelector: PLACEHOLDERS.selector },
    },
  };
  const yaml = [policy, binding].map((obj) => stringify(obj, { lineWidth: 0 })).join('---\n');
  const helm = yaml
    .replaceAll(PLACEHOLDERS.name, '{{ include "sagemaker-operator.fullname" . }}-security-policy')
    .replaceAll(
      `labels: ${PLACEHOLDERS.labels}`,
      'labels:\n    {{- include "sagemaker-operator.labels" . | nindent 4 }}',
    )
    .replaceAll(PLACEHOLDERS.notFound, '{{ .Values.securityPolicy.withoutPolicy }}')
    .replaceAll(
      `namespaceSelector: ${PLACEHOLDERS.selector}`,
      'namespaceSelector:\n      {{- toYaml .Values.securityPolicy.namespaceSelector | nindent 6 }}',
    );
  return `${header}{{- if .Values.securityPolicy.admission }}\n${helm}{{- end }}\n`;
}

/**
 * IAM's evaluation of identity-based policies, as far as the emulator needs it (README "IAM"):
 * Allow/Deny statements with Action/NotAction, Resource/NotResource and Condition blocks; the
 * string, ARN, numeric, Bool and Null operators with IfExists and the ForAllValues/ForAnyValue set
 * qualifiers. An explicit Deny wins; otherwise an Allow is needed. Pure: no I/O.
 */

/** The request context: condition key (any case) → its values; absent or empty means not in the request. */
export type RequestContext = Record<string, readonly string[] | undefined>;

export interface AuthorizationRequest {
  /** `sagemaker:CreateTrainingJob`. */
  action: string;
  resource: string;
  context: RequestContext;
}

export type Decision = 'allow' | 'explicitDeny' | 'implicitDeny';

type Scalar = string | number | boolean;
type OneOrMany<T> = T | T[];

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: OneOrMany<string>;
  NotAction?: OneOrMany<string>;
  Resource?: OneOrMany<string>;
  NotResource?: OneOrMany<string>;
  Condition?: Record<string, Record<string, OneOrMany<Scalar>>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: OneOrMany<Statement>;
}

/** A policy this evaluation does not model (an operator it lacks): IAM would evaluate it, we cannot. */
export class UnsupportedPolicy extends Error {}

const list = <T>(value: OneOrMany<T> | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM's wildcards: `*` any run of characters, `?` one character. */
function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'si' : 's').test(value);
}

type Compare = (value: string, policy: string) => boolean;

const numeric =
  (holds: (a: number, b: number) => boolean): Compare =>
  (value, policy) => {
    const [a, b] = [Number(value), Number(policy)];
    return !Number.isNaN(a) && !Number.isNaN(b) && holds(a, b);
  };

/** Base operators; each `Not` variant holds when the value matches none of the policy's values. */
const OPERATORS: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (v, p) => v === p, negated: false },
  StringNotEquals: { compare: (v, p) => v === p, negated: true },
  StringEqualsIgnoreCase: { compare: (v, p) => v.toLowerCase() === p.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (v, p) => v.toLowerCase() === p.toLowerCase(), negated: true },
  StringLike: { compare: (v, p) => wildcard(p, v, false), negated: false },
  StringNotLike: { compare: (v, p) => wildcard(p, v, false), negated: true },
  // ArnEquals and ArnLike behave the same (IAM documents both as matching wildcards).
  ArnEquals: { compare: (v, p) => wildcard(p, v, false), negated: false },
  ArnLike: { compare: (v, p) => wildcard(p, v, false), negated: false },
  ArnNotEquals: { compare: (v, p) => wildcard(p, v, false), negated: true },
  ArnNotLike: { compare: (v, p) => wildcard(p, v, false), negated: true },
  NumericEquals: { compare: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { compare: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { compare: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { compare: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { compare: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { compare: numeric((a, b) => a >= b), negated: false },
  Bool: { compare: (v, p) => v.toLowerCase() === p.toLowerCase(), negated: false },
};

function contextValues(context: RequestContext, key: string): readonly string[] | undefined {
  const lower = key.toLowerCase();
  const found = Object.entries(context).find(([k]) => k.toLowerCase() === lower)?.[1];
  return found && found.length > 0 ? found : undefined;
}

/** One `"Operator": {"key": values}` entry for one key. */
function conditionHolds(
  qualified: string,
  key: string,
  policyValues: string[],
  context: RequestContext,
): boolean {
  const [qualifier, rest] = qualified.includes(':') ? qualified.split(':', 2) : [undefined, qualified];
  const ifExists = rest.endsWith('IfExists');
  const name = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  const values = contextValues(context, key);
  if (name === 'Null')
    return policyValues.some((p) => (p.toLowerCase() === 'true') === (values === undefined));
  const operator = OPERATORS[name];
  if (!operator || (qualifier !== undefined && qualifier !== 'ForAllValues' && qualifier !== 'ForAnyValue')) {
    throw new UnsupportedPolicy(`the emulator does not evaluate the condition operator ${qualified}`);
  }
  if (values === undefined) {
    if (qualifier === 'ForAllValues') return true;
    if (qualifier === 'ForAnyValue') return false;
    // A negated operator holds when the key is missing; any other needs IfExists.
    return ifExists || operator.negated;
  }
  const matches = (value: string): boolean => {
    const any = policyValues.some((p) => operator.compare(value, p));
    return operator.negated ? !any : any;
  };
  // Without a qualifier, a key with several values (ArrayOfString) holds when one of them matches.
  return qualifier === 'ForAllValues' ? values.every(matches) : values.some(matches);
}

function statementApplies(statement: Statement, request: AuthorizationRequest): boolean {
  const action = (patterns: string[]): boolean => patterns.some((p) => wildcard(p, request.action, true));
  const resource = (patterns: string[]): boolean =>
    patterns.some((p) => wildcard(p, request.resource, false));
  if (statement.Action !== undefined && !action(list(statement.Action))) return false;
  if (statement.NotAction !== undefined && action(list(statement.NotAction))) return false;
  if (statement.Resource !== undefined && !resource(list(statement.Resource))) return false;
  if (statement.NotResource !== undefined && resource(list(statement.NotResource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) =>
      conditionHolds(operator, key, list(values).map(String), request.context),
    ),
  );
}

/** IAM's decision for a principal's identity-based policies: an explicit Deny wins, else an Allow is needed. */
export function evaluate(policies: readonly PolicyDocument[], request: AuthorizationRequest): Decision {
  const applying = policies.flatMap((p) => list(p.Statement)).filter((s) => statementApplies(s, request));
  if (applying.some((s) => s.Effect === 'Deny')) return 'explicitDeny';
  return applying.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicitDeny';
}

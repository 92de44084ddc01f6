import type { ApiModel, Shape } from './api-model.js';
import { ApiError } from './errors.js';
import { fromJavaPattern } from './java-regex.js';

/** Checks one operation's input; answers the error SageMaker would, or undefined when it is valid. */
export type InputValidator = (input: unknown) => ApiError | undefined;

/** Checks one operation's output against the model; answers every mismatch found (empty: valid). */
export type OutputValidator = (output: unknown) => string[];

interface Findings {
  violations: string[];
  /** A JSON type that cannot be read as the modelled type: the service fails to deserialize. */
  typeError?: string;
  /** Output mode: every type mismatch is a violation, and so is a member the shape does not have. */
  strict?: boolean;
}

type Check = (value: unknown, path: string, findings: Findings) => void;

const violation = (value: unknown, path: string, constraint: string): string =>
  `Value ${value === undefined || value === null ? 'null' : `'${render(value)}'`} at '${path}' failed to satisfy constraint: ${constraint}`;

const render = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

const memberPath = (parent: string, member: string): string => {
  const camel = member.charAt(0).toLowerCase() + member.slice(1);
  return parent === '' ? camel : `${parent}.${camel}`;
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function typeMismatch(findings: Findings, value: unknown, path: string, expected: string): void {
  if (findings.strict) {
    findings.violations.push(
      `Value ${JSON.stringify(value)} at '${path === '' ? 'output' : path}' is not of the modelled type ${expected}`,
    );
    return;
  }
  findings.typeError ??= `Value ${JSON.stringify(value)} at '${path === '' ? 'input' : path}' cannot be converted to ${expected}`;
}

function lengthChecks(shape: Shape): ((value: unknown, length: number, path: string, f: Findings) => void)[] {
  const checks: ((value: unknown, length: number, path: string, f: Findings) => void)[] = [];
  const { min, max } = shape;
  if (min !== undefined && min > 0) {
    checks.push((v, length, path, f) => {
      if (length < min)
        f.violations.push(violation(v, path, `Member must have length greater than or equal to ${min}`));
    });
  }
  if (max !== undefined) {
    checks.push((v, length, path, f) => {
      if (length > max)
        f.violations.push(violation(v, path, `Member must have length less than or equal to ${max}`));
    });
  }
  return checks;
}

function compileString(shape: Shape): Check {
  const lengths = lengthChecks(shape);
  const regex = shape.pattern === undefined ? undefined : fromJavaPattern(shape.pattern);
  const allowed = shape.enum === undefined ? undefined : new Set(shape.enum);
  const enumText = `Member must satisfy enum value set: [${(shape.enum ?? []).join(', ')}]`;
  const patternText = `Member must satisfy regular expression pattern: ${shape.pattern ?? ''}`;
  return (value, path, f) => {
    if (typeof value !== 'string') {
      typeMismatch(f, value, path, 'String');
      return;
    }
    // Length limits count UTF-16 code units in the service too (Java strings).
    for (const check of lengths) check(value, value.length, path, f);
    if (allowed && !allowed.has(value)) f.violations.push(violation(value, path, enumText));
    if (regex && !regex.test(value)) f.violations.push(violation(value, path, patternText));
  };
}

function compileNumber(shape: Shape, integral: boolean): Check {
  const { min, max } = shape;
  return (value, path, f) => {
    if (typeof value !== 'number' || (integral && !Number.isInteger(value))) {
      typeMismatch(f, value, path, integral ? 'Integer' : 'Double');
      return;
    }
    if (min !== undefined && value < min) {
      f.violations.push(violation(value, path, `Member must have value greater than or equal to ${min}`));
    }
    if (max !== undefined && value > max) {
      f.violations.push(violation(value, path, `Member must have value less than or equal to ${max}`));
    }
  };
}

/** Compiles a checker per operation input, once, from the model's shapes. */
export function compileValidators(model: ApiModel): Map<string, InputValidator> {
  const checks = compileChecks(model, 'input');
  const validators = new Map<string, InputValidator>();
  for (const [operation, check] of checks) {
    validators.set(operation, (value) => {
      if (!check) return undefined;
      const findings: Findings = { violations: [] };
      check(value, '', findings);
      if (findings.typeError !== undefined) return new ApiError('SerializationException', findings.typeError);
      const n = findings.violations.length;
      if (n === 0) return undefined;
      return new ApiError(
        'ValidationException',
        `${n} validation error${n === 1 ? '' : 's'} detected: ${findings.violations.join('; ')}`,
      );
    });
  }
  return validators;
}

/**
 * Compiles a checker per operation output: what the emulator answers must be what the model says
 * SageMaker answers — no member the shape lacks, every required member, the modelled types, enums,
 * lengths, patterns and ranges. An operation without an output shape must answer an empty object.
 */
export function compileOutputValidators(model: ApiModel): Map<string, OutputValidator> {
  const checks = compileChecks(model, 'output');
  const validators = new Map<string, OutputValidator>();
  for (const [operation, check] of checks) {
    validators.set(operation, (value) => {
      if (!check) {
        const empty = typeof value === 'object' && value !== null && Object.keys(value).length === 0;
        return value === undefined || empty ? [] : [`${operation} has no output shape, but answered members`];
      }
      const findings: Findings = { violations: [], strict: true };
      check(value, '', findings);
      return findings.violations;
    });
  }
  return validators;
}

function compileChecks(model: ApiModel, direction: 'input' | 'output'): Map<string, Check | undefined> {
  const compiled = new Map<string, Check>();

  // Compiled eagerly, so no request pays for it and a bad pattern fails at start. Shapes can be
  // recursive: a reference met while its own shape is compiling goes through a forwarder.
  const ref = (name: string): Check => {
    const existing = compiled.get(name);
    if (existing) return existing;
    compiled.set(name, (value, path, f) => {
      target(value, path, f);
    });
    const target = compile(name);
    compiled.set(name, target);
    return target;
  };

  const compile = (name: string): Check => {
    const shape = model.shapes[name];
    if (!shape) throw new Error(`API model has no shape ${name}`);
    switch (shape.type) {
      case 'structure':
        return compileStructure(shape);
      case 'list': {
        const member = ref(shape.member!.shape);
        const lengths = lengthChecks(shape);
        return (value, path, f) => {
          if (!Array.isArray(value)) {
            typeMismatch(f, value, path, 'List');
            return;
          }
          for (const check of lengths) check(value, value.length, path, f);
          value.forEach((item, i) => {
            member(item, `${path}.${i + 1}.member`, f);
          });
        };
      }
      case 'map': {
        const key = ref(shape.key!.shape);
        const val = ref(shape.value!.shape);
        const lengths = lengthChecks(shape);
        return (value, path, f) => {
          if (!isPlainObject(value)) {
            typeMismatch(f, value, path, 'Map');
            return;
          }
          const entries = Object.entries(value);
          for (const check of lengths) check(value, entries.length, path, f);
          for (const [k, v] of entries) {
            key(k, path, f);
            val(v, `${path}.${k}`, f);
          }
        };
      }
      case 'string':
        return compileString(shape);
      case 'integer':
      case 'long':
        return compileNumber(shape, true);
      case 'float':
      case 'double':
        return compileNumber(shape, false);
      case 'boolean':
        return (value, path, f) => {
          if (typeof value !== 'boolean') typeMismatch(f, value, path, 'Boolean');
        };
      case 'timestamp':
        return (value, path, f) => {
          const readable =
            typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Date.parse(value)));
          if (!readable) typeMismatch(f, value, path, 'Timestamp');
        };
      case 'blob':
        return (value, path, f) => {
          if (typeof value !== 'string') typeMismatch(f, value, path, 'Blob');
        };
    }
  };

  const compileStructure = (shape: Shape): Check => {
    const members = Object.entries(shape.members ?? {}).map(([member, target]) => ({
      member,
      check: ref(target.shape),
    }));
    const required = shape.required ?? [];
    const union = shape.union === true;
    const known = new Set(members.map((m) => m.member));
    return (value, path, f) => {
      if (!isPlainObject(value)) {
        typeMismatch(f, value, path, 'Structure');
        return;
      }
      if (f.strict) {
        for (const [member, v] of Object.entries(value)) {
          if (v !== undefined && !known.has(member)) {
            f.violations.push(`Member '${memberPath(path, member)}' is not in the modelled shape`);
          }
        }
      }
      for (const member of required) {
        if (value[member] === undefined || value[member] === null) {
          f.violations.push(violation(null, memberPath(path, member), 'Member must not be null'));
        }
      }
      let set = 0;
      for (const { member, check } of members) {
        const v = value[member];
        if (v === undefined || v === null) continue;
        set++;
        check(v, memberPath(path, member), f);
      }
      if (union && set !== 1) {
        f.violations.push(violation(value, path, 'Union must have exactly one member set'));
      }
    };
  };

  const checks = new Map<string, Check | undefined>();
  for (const [operation, shapes] of Object.entries(model.operations)) {
    const target = shapes[direction];
    checks.set(operation, target ? ref(target.shape) : undefined);
  }
  return checks;
}

/*
 * The part of botocore's service-2.json vocabulary the shape generator reads, and the translations
 * from it to what a Kubernetes structural schema can carry: lowerCamel member names, one-sentence
 * descriptions, and regular expressions the apiserver (Go RE2) accepts.
 */

/*
 * The same vocabulary is the emulator's (test/emulator/api-model.ts re-exports it): one reading of
 * service-2.json for the generated CRD shapes and for the emulator's validation.
 */
export interface MemberRef {
  shape: string;
  documentation?: string;
}

export interface ModelShape {
  type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'float'
    | 'double'
    | 'boolean'
    | 'timestamp'
    | 'blob';
  required?: string[];
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  union?: boolean;
  exception?: boolean;
  documentation?: string;
}

export interface Operation {
  name: string;
  input?: MemberRef;
  output?: MemberRef;
}

export interface BotocoreModel {
  metadata: { targetPrefix: string; apiVersion: string };
  operations: Record<string, Operation>;
  shapes: Record<string, ModelShape>;
}

export function shapeOf(model: BotocoreModel, name: string): ModelShape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the SageMaker model`);
  return shape;
}

/** The shape a list's items or a map's values have. */
export function elementOf(shape: ModelShape, field: 'member' | 'value'): string {
  const ref = shape[field];
  if (!ref) throw new Error(`a ${shape.type} shape without a ${field} in the SageMaker model`);
  return ref.shape;
}

/** The input shape name of an operation. */
export function requestShapeName(model: BotocoreModel, operation: string): string {
  const input = model.operations[operation]?.input?.shape;
  if (!input) throw new Error(`operation ${operation} has no input shape in the SageMaker model`);
  return input;
}

/**
 * The spec name of a SageMaker member: its first letter in lower case. The controllers capitalise
 * the first letter back (src/controllers/common/sagemaker-shape.ts), so the mapping is exact both
 * ways (`KmsKeyId` ↔ `kmsKeyId`, `S3Uri` ↔ `s3Uri`, `MLflow…` ↔ `mLflow…`).
 */
export function lowerCamel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

/** Whether a shape is a leaf for coverage: anything but a structure or a list of structures. */
export function isScalarLike(model: BotocoreModel, name: string): boolean {
  const shape = shapeOf(model, name);
  if (shape.type === 'structure') return false;
  if (shape.type === 'list') return shapeOf(model, elementOf(shape, 'member')).type !== 'structure';
  return true;
}

export const MAX_DESCRIPTION = 200;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
// Words whose trailing period does not end a sentence.
const ABBREVIATIONS = /(?:\be\.g|\bi\.e|\betc|\bvs|\bapprox|\bInc|\bNo)\.$/;

/**
 * The first sentence of a model documentation string, HTML stripped, at most MAX_DESCRIPTION
 * characters (cut at a word boundary and marked with an ellipsis); undefined when there is none.
 */
export function firstSentence(documentation: string | undefined): string | undefined {
  if (!documentation) return undefined;
  const text = documentation
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/g, (entity: string, name: string) =>
      name.startsWith('#') ? String.fromCharCode(Number(name.slice(1))) : (ENTITIES[name] ?? entity),
    )
    .replace(/\s+/g, ' ')
    .replace(/\s+([.,;:!?)])/g, '$1')
    .replace(/\(\s+/g, '(')
    .trim();
  if (!text) return undefined;
  let end = text.length;
  const boundary = /[.!?](?=\s+[A-Z(]|$)/g;
  for (let match = boundary.exec(text); match; match = boundary.exec(text)) {
    if (ABBREVIATIONS.test(text.slice(0, match.index + 1))) continue;
    end = match.index + 1;
    break;
  }
  const sentence = text.slice(0, end);
  if (sentence.length <= MAX_DESCRIPTION) return sentence;
  const cut = sentence.slice(0, MAX_DESCRIPTION - 3);
  const space = cut.lastIndexOf(' ');
  return `${(space > 0 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}...`;
}

// Patterns that match any value (within the length limits, which are kept) add nothing to a schema.
const MATCH_ANYTHING = new Set(['.*', '.+', '[\\S\\s]*', '[\\s\\S]*', '[\\S\\s]+', '[\\s\\S]+']);
// Java syntax with no RE2 equivalent: lookaround, atomic and flag groups, named groups.
const UNSUPPORTED_GROUP = /\(\?(?!:)/;
// RE2 rejects repetition counts over 1000.
const RE2_MAX_REPEAT = 1000;
// Escapes that mean the same in Java, RE2 and JavaScript.
const PORTABLE_LETTER_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 't', 'n', 'r', 'f']);

/**
 * The OpenAPI `pattern` for a botocore (Java) pattern, or undefined when it cannot be carried:
 * the apiserver compiles patterns with Go's RE2, which has no lookaround, backreferences,
 * possessive quantifiers or Java's character-class algebra, and limits repetitions to 1000. Only
 * a conservative portable subset passes (it also compiles as JavaScript); everything else is left
 * out, and the string's length limits still apply. Java matches the whole value, OpenAPI a
 * substring, so the result is anchored.
 */
export function portablePattern(pattern: string | undefined): string | undefined {
  if (pattern === undefined || MATCH_ANYTHING.has(pattern)) return undefined;
  if (UNSUPPORTED_GROUP.test(pattern)) return undefined;
  if (/[*+?}]\+/.test(pattern) || pattern.includes('&&')) return undefined;
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      const next = pattern.charAt(i + 1);
      if (pattern.startsWith('\\p{Alnum}', i)) {
        out += inClass ? '0-9A-Za-z' : '[0-9A-Za-z]';
        i += '\\p{Alnum}'.length - 1;
        continue;
      }
      if (/[A-Za-z0-9]/.test(next) && !PORTABLE_LETTER_ESCAPES.has(next)) return undefined;
      if (next === '') return undefined;
      out += c + next;
      i++;
      continue;
    }
    if (c === '[') {
      if (inClass) return undefined;
      inClass = true;
    } else if (c === ']') inClass = false;
    out += c;
  }
  for (const match of out.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) {
    if (Number(match[1]) > RE2_MAX_REPEAT || Number(match[2] ?? 0) > RE2_MAX_REPEAT) return undefined;
  }
  const anchored = `^(?:${out})$`;
  try {
    new RegExp(anchored);
  } catch {
    return undefined;
  }
  return anchored;
}

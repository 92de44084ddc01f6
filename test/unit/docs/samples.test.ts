/**
 * Every code sample in the documentation is checked, so the docs cannot drift from the code:
 *
 * - a ```ts or ```typescript block is a module type-checked against the real sources, as if it were
 *   a file beside its markdown (so `../src/...` imports resolve from docs/, `./x.js` from src/runtime/);
 * - a ```yaml block whose apiVersion is the operator's group must parse, name one of its kinds, and
 *   (unless it starts with the comment `# fragment`) have a spec the kind's CRD schema accepts.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { toCrd } from '../../../src/crds/crd.js';
import { CRD_KINDS, GROUP, VERSION } from '../../../src/crds/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const API_VERSION = `${GROUP}/${VERSION}`;
const FRAGMENT = /^\s*#\s*fragment\b/;

/** The markdown files whose samples are checked, relative to the repository root. */
function markdownFiles(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return under(path);
      return entry.name === 'README.md' ? [path] : [];
    });
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs, ...under('src'), ...under('test')];
}

interface Sample {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
}

/** The fenced blocks of a markdown text. */
export function samplesOf(file: string, markdown: string): Sample[] {
  const samples: Sample[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    samples.push({ file, line: start + 1, lang: open[1] ?? '', code: body.join('\n') });
  }
  return samples;
}

const SAMPLES = markdownFiles().flatMap((file) => samplesOf(file, readFileSync(join(ROOT, file), 'utf8')));
const TS_SAMPLES = SAMPLES.filter((s) => s.lang === 'ts' || s.lang === 'typescript');
const YAML_SAMPLES = SAMPLES.filter((s) => s.lang === 'yaml' || s.lang === 'yml');

/** Where a sample is compiled: a file beside its markdown, named after its line. */
function samplePath(sample: Sample): string {
  return join(ROOT, dirname(sample.file), `__sample_line_${sample.line}.ts`);
}

/** The project's compiler options, as `tsc -p .` reads them. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, undefined, configPath);
  return { ...parsed.options, noEmit: true, sourceMap: false };
}

/** Type-checks the samples in one program against the real sources; the diagnostics of each sample. */
export function typeCheck(samples: readonly Sample[]): Map<Sample, string[]> {
  const options = compilerOptions();
  const virtual = new Map(samples.map((sample) => [samplePath(sample), sample]));
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.fileExists = (path) => virtual.has(path) || fileExists(path);
  host.readFile = (path) => virtual.get(path)?.code ?? readFile(path);
  host.getSourceFile = (path, language, onError, create) => {
    const sample = virtual.get(path);
    if (sample) return ts.createSourceFile(path, sample.code, language, true, ts.ScriptKind.TS);
    return getSourceFile(path, language, onError, create);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const result = new Map<Sample, string[]>();
  for (const [path, sample] of virtual) {
    const file = program.getSourceFile(path);
    const diagnostics = file
      ? [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]
      : [];
    result.set(
      sample,
      diagnostics.map((d) => {
        const where =
          d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
        return `${sample.file}:${sample.line + where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
  }
  return result;
}

/** The part of an OpenAPI v3 schema of a CRD that the check below reads. */
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/**
 * What the apiserver's structural validation would say of `value` (CEL rules aside), and more
 * strictly: a field the schema does not have is an error, where the apiserver would drop it.
 */
export function schemaErrors(schema: Schema, value: unknown, path = 'spec'): string[] {
  if (schema['x-kubernetes-int-or-string'])
    return typeof value === 'string' || Number.isInteger(value) ? [] : [`${path}: not an int or string`];
  const errors: string[] = [];
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return [`${path}: not an object`];
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${path}.${key}: required`);
      for (const [key, item] of Object.entries(record)) {
        const sub =
          schema.properties?.[key] ??
          (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        if (sub) errors.push(...schemaErrors(sub, item, `${path}.${key}`));
        else if (!schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true)
          errors.push(`${path}.${key}: unknown field`);
      }
      return errors;
    }
    case 'array': {
      if (!Array.isArray(value)) return [`${path}: not a list`];
      if (schema.minItems !== undefined && value.length < schema.minItems)
        errors.push(`${path}: too few items`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        errors.push(`${path}: too many items`);
      if (schema.items)
        value.forEach((item, i) => errors.push(...schemaErrors(schema.items!, item, `${path}[${i}]`)));
      return errors;
    }
    case 'string':
      if (typeof value !== 'string') return [`${path}: not a string`];
      if (schema.minLength !== undefined && value.length < schema.minLength)
        errors.push(`${path}: too short`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${path}: too long`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
        errors.push(`${path}: does not match ${schema.pattern}`);
      break;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value)))
        return [`${path}: not ${schema.type === 'integer' ? 'an integer' : 'a number'}`];
      if (schema.minimum !== undefined && value < schema.minimum)
        errors.push(`${path}: below ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum)
        errors.push(`${path}: above ${schema.maximum}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${path}: not a boolean`];
      break;
  }
  if (schema.enum && !schema.enum.includes(value))
    errors.push(`${path}: not one of ${schema.enum.join(', ')}`);
  return errors;
}

/** The spec schema of each kind's generated CRD. */
const SPEC_SCHEMAS = new Map(
  CRD_KINDS.map((kind) => {
    const crd = toCrd(kind) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
    const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
    return [kind.kind, root?.properties?.spec ?? {}] as const;
  }),
);

/** What is wrong with the operator's manifests in a YAML sample. */
export function manifestErrors(sample: Pick<Sample, 'code'>): string[] {
  const fragment = FRAGMENT.test(sample.code);
  const errors: string[] = [];
  for (const document of parseAllDocuments(sample.code)) {
    if (document.errors.length > 0) {
      errors.push(...document.errors.map((e) => e.message));
      continue;
    }
    const manifest = document.toJS() as { apiVersion?: unknown; kind?: unknown; spec?: unknown } | null;
    if (manifest?.apiVersion !== API_VERSION) continue;
    const schema = SPEC_SCHEMAS.get(String(manifest.kind));
    if (!schema) errors.push(`no kind ${String(manifest.kind)} in ${API_VERSION}`);
    else if (!fragment) errors.push(...schemaErrors(schema, manifest.spec ?? {}));
  }
  return errors;
}

const label = (sample: Sample): string => `${sample.file}:${sample.line}`;

describe('TypeScript samples in the docs', () => {
  it('exist (the runtime README has two)', () => {
    expect(TS_SAMPLES.filter((s) => s.file === 'src/runtime/README.md').length).toBeGreaterThanOrEqual(2);
  });

  it('type-check against the sources', () => {
    const diagnostics = typeCheck(TS_SAMPLES);
    expect([...diagnostics.values()].flat()).toEqual([]);
  }, 180_000);

  it('are type-checked for real: a sample using a type that does not exist fails', () => {
    const broken: Sample = {
      file: 'src/runtime/README.md',
      line: 0,
      lang: 'ts',
      code: "import type { NoSuchOptions } from '../controllers/common/job-lifecycle.js';\nexport const x: NoSuchOptions = {};",
    };
    const [messages] = [...typeCheck([broken]).values()];
    expect(messages?.join('\n')).toContain('NoSuchOptions');
  }, 180_000);
});

describe("manifests of the operator's kinds in the docs", () => {
  const manifests = YAML_SAMPLES.filter((s) => s.code.includes(API_VERSION));

  it('exist', () => {
    expect(manifests.length).toBeGreaterThan(0);
  });

  it.each(manifests.map((s) => [label(s), s] as const))(
    '%s parses, names a kind, and its spec fits the CRD',
    (_, sample) => {
      expect(manifestErrors(sample)).toEqual([]);
    },
  );

  it('catches an unknown kind, an unknown field and a missing required field', () => {
    const manifest = (kind: string, spec: string): string =>
      `apiVersion: ${API_VERSION}\nkind: ${kind}\nmetadata:\n  name: x\nspec:\n${spec}`;
    expect(manifestErrors({ code: manifest('TeaPot', '  a: 1') })).toEqual([
      `no kind TeaPot in ${API_VERSION}`,
    ]);
    expect(manifestErrors({ code: manifest('SecurityPolicy', '  noSuchRule: true') })).toEqual([
      'spec.noSuchRule: unknown field',
    ]);
    const errors = manifestErrors({ code: manifest('TrainingJob', '  region: eu-west-1') });
    expect(errors).toContain('spec.roleArn: required');
    expect(manifestErrors({ code: `# fragment\n${manifest('TrainingJob', '  region: eu-west-1')}` })).toEqual(
      [],
    );
  });
});

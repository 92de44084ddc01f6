import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ALL_KINDS, GROUP } from '../../../src/crds/index.js';
import { S3UriFrom } from '../../../src/crds/references.js';

/*
 * The kustomize component of deploy/kustomize/references against the schemas: every field by which
 * an object names another object of its namespace is found by walking each kind's spec, and must be
 * one kustomize renames along with the object it names, so that a new reference field without its
 * entry fails here. A reference is an object with a `name` that its description (or the name's)
 * places in this namespace; what kind it names comes from a `kind` enum beside the name
 * (dependsOn), from "Name of a <Kind> object", or from the first kind the object's description
 * names.
 */

interface Schema {
  type?: string;
  description?: string;
  enum?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
}

interface FieldSpec {
  kind?: string;
  group?: string;
  path: string;
}

interface Configuration {
  nameReference: { kind: string; group?: string; fieldSpecs: FieldSpec[] }[];
  commonLabels: FieldSpec[];
}

interface Reference {
  /** The kind of the object holding the reference. */
  kind: string;
  /** Its name field as kustomize writes paths: slash-separated, lists walked implicitly. */
  path: string;
  /** The kinds it may name. */
  targets: string[];
}

const COMPONENT = new URL('../../../deploy/kustomize/references/', import.meta.url);
const component = parse(readFileSync(new URL('kustomization.yaml', COMPONENT), 'utf8')) as {
  kind: string;
  configurations: string[];
};
const configuration = parse(readFileSync(new URL('configuration.yaml', COMPONENT), 'utf8')) as Configuration;

const KINDS = ALL_KINDS.map((k) => k.kind);
/** Longest first, so that ModelPackageGroup is not read as ModelPackage. */
const KIND_PATTERN = new RegExp(`\\b(${[...KINDS].sort((a, b) => b.length - a.length).join('|')})\\b`);
const IN_NAMESPACE = /\b(?:in|of) (?:this|the same|the) namespace\b/i;

const plain = (schema: unknown): Schema => JSON.parse(JSON.stringify(schema)) as Schema;
const specs = new Map(ALL_KINDS.map((k) => [k.kind, plain(k.spec)]));

function isReference(object: Schema): boolean {
  const name = object.properties?.name;
  if (name?.type !== 'string') return false;
  return IN_NAMESPACE.test(name.description ?? '') || IN_NAMESPACE.test(object.description ?? '');
}

function targetsOf(object: Schema): string[] {
  const kindEnum = object.properties?.kind?.enum;
  if (kindEnum) return kindEnum;
  const named = /Name of an? (\w+) object/.exec(object.properties?.name?.description ?? '');
  if (named?.[1]) return [named[1]];
  const mentioned = KIND_PATTERN.exec(object.description ?? '');
  return mentioned?.[1] ? [mentioned[1]] : [];
}

/** Every reference of a schema, and every `...Ref` property found on the way (to check none is missed). */
function walk(kind: string, schema: Schema) {
  const references: Reference[] = [];
  const refProperties: string[] = [];
  const selectors: string[] = [];
  const visit = (node: Schema, path: string[]): void => {
    if (node.items) {
      visit(node.items, path);
      return;
    }
    if (isReference(node))
      references.push({ kind, path: [...path, 'name'].join('/'), targets: targetsOf(node) });
    if (node.properties?.matchLabels) selectors.push([...path, 'matchLabels'].join('/'));
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (key.endsWith('Ref') && (child.type === 'object' || child.properties))
        refProperties.push([...path, key, 'name'].join('/'));
      visit(child, [...path, key]);
    }
  };
  visit(schema, ['spec']);
  return { references, refProperties, selectors };
}

const found = ALL_KINDS.map((k) => ({ kind: k.kind, ...walk(k.kind, plain(k.spec)) }));
const references = found.flatMap((f) => f.references);

/** The schema at a kustomize path, lists walked implicitly; undefined where there is none. */
function at(schema: Schema | undefined, path: string): Schema | undefined {
  let node = schema;
  for (const segment of path.split('/').slice(1)) {
    while (node?.items) node = node.items;
    node = node?.properties?.[segment];
  }
  while (node?.items) node = node.items;
  return node;
}

function renames(target: string, kind: string, path: string): boolean {
  return configuration.nameReference.some(
    (entry) =>
      entry.kind === target &&
      entry.group === GROUP &&
      entry.fieldSpecs.some(
        (spec) =>
          spec.path === path && spec.group === GROUP && (spec.kind === undefined || spec.kind === kind),
      ),
  );
}

/** The kind each reference of s3UriFrom names, by its key (trainingJobRef: TrainingJob). */
const S3_URI_FROM_TARGETS = new Map(
  Object.entries(plain(S3UriFrom).properties ?? {})
    .filter(([, object]) => isReference(object))
    .map(([key, object]) => [key, targetsOf(object)[0]]),
);

describe('the kustomize component deploy/kustomize/references', () => {
  it('is a Component whose configuration kustomize loads from its own folder', () => {
    expect(component.kind).toBe('Component');
    expect(component.configurations).toEqual(['configuration.yaml']);
  });

  it('finds references in every kind: dependsOn, when and s3UriFrom at least', () => {
    for (const kind of KINDS) {
      const paths = references.filter((r) => r.kind === kind).map((r) => r.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'spec/dependsOn/name',
          'spec/when/jsonFrom/processingJobRef/name',
          'spec/when/jsonFrom/trainingJobRef/name',
        ]),
      );
    }
    expect(references).toContainEqual({
      kind: 'TrainingJob',
      path: 'spec/inputDataConfig/dataSource/s3DataSource/s3UriFrom/processingJobRef/name',
      targets: ['ProcessingJob'],
    });
    expect(references).toContainEqual({
      kind: 'ModelPackage',
      path: 'spec/groupRef/name',
      targets: ['ModelPackageGroup'],
    });
    expect([...S3_URI_FROM_TARGETS]).toEqual([
      ['trainingJobRef', 'TrainingJob'],
      ['processingJobRef', 'ProcessingJob'],
      ['transformJobRef', 'TransformJob'],
    ]);
  });

  it('knows what kind every reference names', () => {
    const unknown = references.filter(
      (r) => r.targets.length === 0 || r.targets.some((t) => !KINDS.includes(t)),
    );
    expect(unknown).toEqual([]);
  });

  it('counts every ...Ref object as a reference', () => {
    const missed = found.flatMap((f) =>
      f.refProperties
        .filter((path) => !f.references.some((r) => r.path === path))
        .map((p) => `${f.kind} ${p}`),
    );
    expect(missed).toEqual([]);
  });

  it('renames every reference of every kind with the object it names', () => {
    const missing = references.flatMap((r) =>
      r.targets.filter((t) => !renames(t, r.kind, r.path)).map((t) => `${r.kind} ${r.path} -> ${t}`),
    );
    expect(missing).toEqual([]);
  });

  it('names only reference fields, or the s3UriFrom of an S3 location (an object with s3Uri)', () => {
    const stray: string[] = [];
    for (const entry of configuration.nameReference) {
      expect(entry.group).toBe(GROUP);
      expect(KINDS).toContain(entry.kind);
      for (const spec of entry.fieldSpecs) {
        expect(spec.group).toBe(GROUP);
        for (const kind of spec.kind === undefined ? KINDS : [spec.kind]) {
          const reference = references.find((r) => r.kind === kind && r.path === spec.path);
          if (reference?.targets.includes(entry.kind)) continue;
          const s3UriFrom = /^(.+)\/s3UriFrom\/(\w+)\/name$/.exec(spec.path);
          const location = s3UriFrom?.[1] ? at(specs.get(kind), s3UriFrom[1]) : undefined;
          if (location?.properties?.s3Uri && S3_URI_FROM_TARGETS.get(s3UriFrom?.[2] ?? '') === entry.kind)
            continue;
          stray.push(`${kind} ${spec.path} -> ${entry.kind}`);
        }
      }
    }
    expect(stray).toEqual([]);
  });

  it('puts labels into every label selector, and only there', () => {
    const selectors = found.flatMap((f) => f.selectors.map((path) => `${f.kind} ${path}`));
    expect(selectors).not.toEqual([]);
    const configured = configuration.commonLabels.map((spec) => {
      expect(spec.group).toBe(GROUP);
      return `${spec.kind ?? ''} ${spec.path}`;
    });
    expect(configured.sort()).toEqual(selectors.sort());
  });
});

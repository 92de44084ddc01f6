import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { renderedShapes } from '../../../src/crds/generate.js';
import { firstSentence, MAX_DESCRIPTION, portablePattern } from '../../../src/crds/shapes/botocore.js';
import { SHAPES_FILE } from '../../../src/crds/shapes/generate-shapes.js';
import { REQUEST_SHAPES } from '../../../src/crds/shapes/sagemaker.generated.js';

interface Schema {
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
}

/** `path: description` of every property, looking into items and map values. */
function descriptions(schema: Schema, path: string): [string, string | undefined][] {
  const found: [string, string | undefined][] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    found.push([`${path}.${name}`, property.description], ...descriptions(property, `${path}.${name}`));
  }
  if (schema.items) found.push(...descriptions(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === 'object')
    found.push(...descriptions(schema.additionalProperties, `${path}.*`));
  return found;
}

describe('generated SageMaker shapes', () => {
  it('the committed src/crds/shapes/sagemaker.generated.ts is what `npm run crds` generates', async () => {
    expect(await readFile(SHAPES_FILE, 'utf8')).toBe(await renderedShapes());
  });

  it.each(Object.entries(REQUEST_SHAPES))(
    '%s describes every property in one bounded sentence',
    (name, shape) => {
      const schema = JSON.parse(JSON.stringify(shape)) as Schema;
      const bad = descriptions(schema, name).filter(
        ([, description]) =>
          !description?.trim() || description.length > MAX_DESCRIPTION || /[<>]/.test(description),
      );
      expect(bad).toEqual([]);
    },
  );
});

describe('patterns the apiserver accepts', () => {
  it('anchors a portable pattern, as Java matches the whole value', () => {
    expect(portablePattern('[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}')).toBe(
      '^(?:[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})$',
    );
  });

  it('spells Java’s \\p{Alnum} as an ASCII class', () => {
    expect(portablePattern('arn:[\\p{Alnum}\\-]+:x')).toBe('^(?:arn:[0-9A-Za-z\\-]+:x)$');
  });

  it.each([
    ['a lookbehind', '([a-z]{0,62})(?<!-)'],
    ['a lookahead', '/(?!.*\\.\\.)[a-z/]+'],
    ['a repetition over RE2’s 1000', 'model/[\\S]{1,2048}'],
    ['a Unicode property class', '([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)'],
    ['a \\u escape', '[\\u0020-\\uD7FF\\t]*'],
    ['a backreference', '(a)\\1'],
    ['a possessive quantifier', 'a*+b'],
    ['a class intersection', '[a-z&&[^b]]'],
    ['a match-anything pattern', '.*'],
  ])('leaves out %s', (_what, pattern) => {
    expect(portablePattern(pattern)).toBeUndefined();
  });
});

describe('one-sentence descriptions', () => {
  it('strips HTML and keeps the first sentence', () => {
    expect(firstSentence('<p>Set to <code>true</code>, e.g. for a job. Then more.</p> <p>Other.</p>')).toBe(
      'Set to true, e.g. for a job.',
    );
  });

  it('decodes entities and bounds the length at a word', () => {
    const long = firstSentence(`<p>A &amp; B ${'word '.repeat(80)}end.</p>`)!;
    expect(long.startsWith('A & B word')).toBe(true);
    expect(long.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
    expect(long.endsWith('word...')).toBe(true);
  });

  it('has nothing for an empty documentation', () => {
    expect(firstSentence('<p> </p>')).toBeUndefined();
  });
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { toCrd } from '../../../src/crds/crd.js';
import { CRD_DIR, renderedCrds } from '../../../src/crds/generate.js';
import { ALL_KINDS } from '../../../src/crds/index.js';

const crds = await renderedCrds();

describe('committed CRD YAML', () => {
  it.each([...crds])('%s is what `npm run crds` generates', async (file, generated) => {
    expect(await readFile(CRD_DIR + file, 'utf8')).toBe(generated);
  });
});

/**
 * Client-side `kubectl apply` keeps the applied object as JSON in an annotation, and a resource's
 * annotations hold at most 256 KiB together; 200 KiB leaves room for the model to grow.
 */
const MAX_CRD_JSON = 200 * 1024;

describe('CRD size', () => {
  it.each(ALL_KINDS.map((kind) => [kind.kind, kind] as const))(
    '%s fits the annotation of a client-side kubectl apply',
    (_, kind) => {
      expect(JSON.stringify(toCrd(kind)).length).toBeLessThan(MAX_CRD_JSON);
    },
  );
});

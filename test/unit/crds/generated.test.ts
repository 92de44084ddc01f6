import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { CRD_DIR, renderedCrds } from '../../../src/crds/generate.js';

describe('committed CRD YAML', () => {
  it.each([...renderedCrds()])('%s is what `npm run crds` generates', async (file, generated) => {
    expect(await readFile(CRD_DIR + file, 'utf8')).toBe(generated);
  });
});

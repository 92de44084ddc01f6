import { describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';

const ROOT = new URL('../../../', import.meta.url);

describe('examples/workflows/', () => {
  it('has one row per folder in the README, and a README and a rig test per folder', async () => {
    const folders = (await readdir(new URL('examples/workflows/', ROOT), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const readme = await readFile(new URL('README.md', ROOT), 'utf8');
    const rows = [...readme.matchAll(/^\| .* \| \[([a-z-]+)\]\(examples\/workflows\/\1\/\) +\|/gm)].map(
      (m) => m[1],
    );
    expect(rows).toEqual(folders);
    const tests = await readdir(new URL('test/integration/workflows/', ROOT));
    for (const folder of folders) {
      expect(await readdir(new URL(`examples/workflows/${folder}/`, ROOT))).toContain('README.md');
      expect(tests).toContain(`${folder}.test.ts`);
    }
  });
});

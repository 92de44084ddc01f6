import { beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { ALL_KINDS } from '../../../src/crds/index.js';
import { objectsOf, rejectionOf } from '../support/apply.js';
import { createTestNamespace, testKubeConfig } from '../support/cluster.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';

/*
 * spec.tags against SageMaker's Tag shape (key 1-128, value 0-256, pattern
 * [\p{L}\p{Z}\p{N}_.:/=+\-@]*, aws: reserved), checked by the real apiserver: its OpenAPI patterns
 * and CEL regexes are RE2, so this is also where the Unicode classes are known to work.
 */

let kc: KubeConfig;
let namespace: string;

beforeAll(async () => {
  kc = testKubeConfig();
  namespace = await createTestNamespace(kc, 'tags');
});

// A model version has no tags (SageMaker refuses them; it carries its group's): ModelPackage has no spec.tags.
const TAGGED_KINDS = ALL_KINDS.filter((kind) => 'tags' in kind.spec.properties);

describe.each(TAGGED_KINDS.map((kind) => [kind.kind, kind.plural] as const))(
  '%s spec.tags',
  (kind, plural) => {
    const withTags = (tags: Record<string, string>) => ({ ...MINIMAL_SPECS[kind], tags });
    const apply = (tags: Record<string, string>): Promise<void> =>
      objectsOf(kc, namespace, kind, plural).create('tagged', withTags(tags));

    it('accepts what SageMaker accepts: letters, digits and spaces of any script, _ . : / = + - @, empty values', async () => {
      // Four at a time: a MultiModelSet's S3 objects take at most 6 tags.
      await apply({
        équipe: 'données ml',
        部署: '機械学習 チーム',
        'cost-center': '',
        'a_b.c:d/e=f+g-h@i': 'j_k.l:m/n=o+p-q@r',
      });
      await apply({
        'aws-account': 'awsome',
        'mlops.dev': 'not a reserved prefix without the slash',
        ['k'.repeat(128)]: 'v'.repeat(256),
        'Ⅻ ٣': 'x\u00a0y', // a Roman numeral and an Arabic-Indic digit (\p{N}), a no-break space (\p{Z})
      });
    });

    it.each([
      ['a value with "!"', { team: 'ml!' }, 'spec.tags.team in body should match'],
      ['a value with a newline', { team: 'ml\nops' }, 'spec.tags.team in body should match'],
      ['a value with an emoji', { team: 'ml 🚀' }, 'spec.tags.team in body should match'],
      ['a value of 257 characters', { team: 'v'.repeat(257) }, 'spec.tags.team: Too long'],
      ['a key with "#"', { 'team#1': 'ml' }, 'tag keys may contain only letters, digits, spaces'],
      ['a key with "*"', { 'team*': 'ml' }, 'tag keys may contain only letters, digits, spaces'],
      ['a key of 129 characters', { ['k'.repeat(129)]: 'ml' }, 'tag keys must have 1-128 characters'],
      ['an empty key', { '': 'ml' }, 'tag keys must have 1-128 characters'],
      ['a key starting with aws:', { 'aws:team': 'ml' }, 'must not start with "mlops.dev/" or "aws:"'],
      ['a key starting with AWS:', { 'AWS:team': 'ml' }, 'must not start with "mlops.dev/" or "aws:"'],
      ['an ownership tag key', { 'mlops.dev/uid': 'x' }, 'must not start with "mlops.dev/" or "aws:"'],
    ])('rejects %s', async (_, tags: Record<string, string>, message) => {
      expect(await rejectionOf(apply(tags))).toContain(message);
    });
  },
);

import { describe, expect, it } from '@jest/globals';
import { stableHash } from '../../../src/aws/naming.js';
import {
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  ownerTagValue,
  ownershipOf,
  ownershipTags,
  TAG_OWNER,
} from '../../../src/aws/tags.js';

const owner = { kind: 'TrainingJob', namespace: 'ns', name: 'job', uid: 'uid-1', clusterName: 'prod' };

describe('ownership tags', () => {
  it('carries managed-by, cluster, owner and uid', () => {
    expect(ownershipTags(owner)).toEqual([
      { Key: 'mlops.dev/managed-by', Value: 'sagemaker-operator' },
      { Key: 'mlops.dev/cluster', Value: 'prod' },
      { Key: 'mlops.dev/owner', Value: 'TrainingJob/ns/job' },
      { Key: 'mlops.dev/uid', Value: 'uid-1' },
    ]);
  });

  it('tells owned, previous incarnation and foreign resources apart', () => {
    const tags = [...ownershipTags(owner), { Key: 'team', Value: 'ml' }];
    expect(ownershipOf(tags, owner)).toBe('owned');
    expect(ownershipOf(tags, { ...owner, uid: 'uid-2' })).toBe('previousIncarnation');
    expect(ownershipOf(tags, { ...owner, clusterName: 'staging' })).toBe('foreign');
    expect(ownershipOf(tags, { ...owner, name: 'other' })).toBe('foreign');
    expect(ownershipOf([], owner)).toBe('foreign');
    expect(ownershipOf(undefined, owner)).toBe('foreign');
  });
});

describe('ownership tags of the longest names', () => {
  // SageMaker's TagValue: 0-256 characters of this pattern (the API model).
  const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
  const namespace = 'n'.repeat(63);
  const longOwner = { ...owner, kind: 'MonitoringSchedule', namespace, name: 'a'.repeat(253) };
  const valueOf = (o: typeof owner): string => ownershipTags(o).find((t) => t.Key === TAG_OWNER)?.Value ?? '';

  it('keeps <kind>/<namespace>/<name> up to 256 characters', () => {
    const exact = { ...owner, name: 'b'.repeat(256 - 'TrainingJob/ns/'.length) };
    expect(valueOf(exact)).toBe(`TrainingJob/ns/${exact.name}`);
    expect(valueOf(exact)).toHaveLength(MAX_TAG_VALUE_LENGTH);
  });

  it('shortens longer ones with a hash of the whole, within SageMaker limits', () => {
    const over = { ...owner, name: 'b'.repeat(257 - 'TrainingJob/ns/'.length) };
    for (const o of [over, longOwner]) {
      const value = valueOf(o);
      expect(value).toHaveLength(MAX_TAG_VALUE_LENGTH);
      expect(value).toMatch(TAG_VALUE);
      expect(value).toBe(ownerTagValue(o));
      expect(value.endsWith(`@${stableHash(`${o.kind}/${o.namespace}/${o.name}`, 16)}`)).toBe(true);
      expect(value.startsWith(`${o.kind}/${o.namespace}/`)).toBe(true);
      for (const tag of ownershipTags(o)) {
        expect(tag.Key.length).toBeLessThanOrEqual(MAX_TAG_KEY_LENGTH);
        expect(tag.Value).toMatch(TAG_VALUE);
      }
    }
  });

  it('is deterministic and distinct for names that differ only past the cut', () => {
    const sibling = { ...longOwner, name: `${'a'.repeat(252)}b` };
    expect(valueOf(longOwner)).toBe(valueOf({ ...longOwner, uid: 'another-uid' }));
    expect(valueOf(sibling)).not.toBe(valueOf(longOwner));
    expect(valueOf(sibling).slice(0, 200)).toBe(valueOf(longOwner).slice(0, 200));
  });

  it('tells owned, previous incarnation and foreign resources apart', () => {
    const tags = ownershipTags(longOwner);
    expect(ownershipOf(tags, longOwner)).toBe('owned');
    expect(ownershipOf(tags, { ...longOwner, uid: 'uid-2' })).toBe('previousIncarnation');
    expect(ownershipOf(tags, { ...longOwner, name: `${'a'.repeat(252)}b` })).toBe('foreign');
    expect(ownershipOf(tags, { ...longOwner, kind: 'TrainingJob' })).toBe('foreign');
    // A value cut to 256 characters without our hash (as another tool might write it) is not ours.
    const truncated = tags.map((t) =>
      t.Key === TAG_OWNER
        ? { ...t, Value: `MonitoringSchedule/${namespace}/${longOwner.name}`.slice(0, 256) }
        : t,
    );
    expect(ownershipOf(truncated, longOwner)).toBe('foreign');
  });
});

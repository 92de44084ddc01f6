import { describe, expect, it } from '@jest/globals';
import { ownershipOf, ownershipTags } from '../../../src/aws/tags.js';

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

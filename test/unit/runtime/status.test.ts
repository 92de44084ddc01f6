import { describe, expect, it } from '@jest/globals';
import { desiredStatus, statusPatch } from '../../../src/runtime/status.js';
import type { StatusChanges } from '../../../src/runtime/status.js';
import { withFinalizer } from '../../../src/runtime/finalizers.js';
import { ReferenceIndex } from '../../../src/runtime/references.js';

const now = new Date('2026-03-01T10:00:00Z');
const changes = (fields: Record<string, unknown>, observedGeneration?: number): StatusChanges => ({
  fields: new Map(Object.entries(fields)),
  conditions: new Map([
    [
      'Synced',
      {
        type: 'Synced',
        status: 'True' as const,
        reason: 'ReconcileSuccess',
        message: '',
        observedGeneration: 3,
      },
    ],
  ]),
  ...(observedGeneration === undefined ? {} : { observedGeneration }),
});

describe('status', () => {
  it('applies fields (undefined removes), conditions and observedGeneration', () => {
    expect(desiredStatus({ a: 1, gone: true }, changes({ b: 2, gone: undefined }, 3), now)).toEqual({
      a: 1,
      b: 2,
      observedGeneration: 3,
      conditions: [
        {
          type: 'Synced',
          status: 'True',
          reason: 'ReconcileSuccess',
          message: '',
          observedGeneration: 3,
          lastTransitionTime: '2026-03-01T10:00:00Z',
        },
      ],
    });
  });

  it('produces no patch when the stored status already is the desired one', () => {
    const stored = desiredStatus({}, changes({ b: 2 }, 3), new Date('2026-01-01T00:00:00Z'));
    expect(statusPatch({ status: stored }, changes({ b: 2 }, 3), now)).toBeUndefined();
    expect(statusPatch({ status: stored }, changes({ b: 5 }, 3), now)).toEqual({ status: { b: 5 } });
  });
});

describe('finalizers', () => {
  it('adds and removes idempotently', () => {
    expect(withFinalizer({ metadata: { finalizers: ['x'] } }, 'f', true)).toEqual(['x', 'f']);
    expect(withFinalizer({ metadata: { finalizers: ['x', 'f'] } }, 'f', true)).toBeUndefined();
    expect(withFinalizer({ metadata: { finalizers: ['x', 'f'] } }, 'f', false)).toEqual(['x']);
    expect(withFinalizer({ metadata: {} }, 'f', false)).toBeUndefined();
  });
});

describe('ReferenceIndex', () => {
  it('maps targets to referrers and follows changes of the references', () => {
    const index = new ReferenceIndex();
    index.set('ns/ep1', ['ns/job']);
    index.set('ns/ep2', ['ns/job', 'ns/other']);
    expect(index.referrers('ns/job').sort()).toEqual(['ns/ep1', 'ns/ep2']);
    index.set('ns/ep2', ['ns/other']);
    expect(index.referrers('ns/job')).toEqual(['ns/ep1']);
    index.delete('ns/ep1');
    expect(index.referrers('ns/job')).toEqual([]);
    expect(index.referrers('ns/other')).toEqual(['ns/ep2']);
  });
});

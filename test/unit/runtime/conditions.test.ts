import { describe, expect, it } from '@jest/globals';
import { findCondition, metaTime, setCondition } from '../../../src/runtime/conditions.js';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T01:00:00Z');

describe('setCondition', () => {
  it('adds a condition with a whole-second transition time', () => {
    const list = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'Creating', message: '' },
      t0,
    );
    expect(list).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Creating',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
  });

  it('keeps lastTransitionTime when the status does not change, even if reason and message do', () => {
    const a = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'Creating', message: 'a', observedGeneration: 1 },
      t0,
    );
    const b = setCondition(
      a,
      { type: 'Ready', status: 'False', reason: 'Updating', message: 'b', observedGeneration: 2 },
      t1,
    );
    expect(b[0]).toMatchObject({
      reason: 'Updating',
      message: 'b',
      observedGeneration: 2,
      lastTransitionTime: metaTime(t0),
    });
  });

  it('moves lastTransitionTime when the status flips', () => {
    const a = setCondition([], { type: 'Ready', status: 'False', reason: 'Creating', message: '' }, t0);
    const b = setCondition(a, { type: 'Ready', status: 'True', reason: 'Completed', message: '' }, t1);
    expect(findCondition(b, 'Ready')?.lastTransitionTime).toBe('2026-01-01T01:00:00Z');
  });

  it('re-asserting a condition yields an equal list, and other conditions keep their place', () => {
    let list = setCondition([], { type: 'Ready', status: 'True', reason: 'Completed', message: '' }, t0);
    list = setCondition(
      list,
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', message: '' },
      t0,
    );
    const again = setCondition(list, { type: 'Ready', status: 'True', reason: 'Completed', message: '' }, t1);
    expect(again).toEqual(list);
    expect(again.map((c) => c.type)).toEqual(['Ready', 'Synced']);
  });
});

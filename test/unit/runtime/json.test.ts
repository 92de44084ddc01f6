import { describe, expect, it } from '@jest/globals';
import { deepEqual, mergePatch } from '../../../src/runtime/json.js';

describe('deepEqual', () => {
  it('ignores key order and undefined members', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: '1' })).toBe(false);
  });
});

describe('mergePatch', () => {
  it('is undefined for equal documents', () => {
    expect(mergePatch({ a: { b: 1 }, c: [1] }, { c: [1], a: { b: 1 } })).toBeUndefined();
  });

  it('carries only changed keys, nulls removed ones and replaces arrays whole', () => {
    expect(
      mergePatch(
        { a: 1, b: { c: 1, d: 2 }, e: [1, 2], f: 'x' },
        { a: 1, b: { c: 1, d: 3 }, e: [1], g: true },
      ),
    ).toEqual({
      b: { d: 3 },
      e: [1],
      f: null,
      g: true,
    });
  });

  it('sets whole objects that did not exist', () => {
    expect(mergePatch(undefined, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
    expect(mergePatch({}, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });
});

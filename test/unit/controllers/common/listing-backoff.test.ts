import { describe, expect, it } from '@jest/globals';
import { ListingBackoff } from '../../../../src/controllers/common/listing-backoff.js';

describe('ListingBackoff: when a key whose List failed is listed again', () => {
  it('one second after a failure, doubling with each failure in a row, at most the ceiling', () => {
    const backoff = new ListingBackoff(5_000);
    expect(backoff.retryAt('a')).toBe(-Infinity);
    expect(backoff.failed('a', 100)).toEqual({ failures: 1, retryInMs: 1_000 });
    expect(backoff.retryAt('a')).toBe(1_100);
    expect(backoff.failed('a', 1_100).retryInMs).toBe(2_000);
    expect(backoff.failed('a', 3_100).retryInMs).toBe(4_000);
    expect(backoff.failed('a', 7_100)).toEqual({ failures: 4, retryInMs: 5_000 });
    expect(backoff.retryAt('b')).toBe(-Infinity);
  });

  it('at once after a success', () => {
    const backoff = new ListingBackoff(5_000);
    backoff.failed('a', 0);
    backoff.failed('a', 1_000);
    backoff.succeeded('a');
    expect(backoff.retryAt('a')).toBe(-Infinity);
    expect(backoff.failed('a', 10_000).retryInMs).toBe(1_000);
  });

  it('forgets the keys no longer listed', () => {
    const backoff = new ListingBackoff(5_000);
    backoff.failed('a', 0);
    backoff.failed('b', 0);
    backoff.keepOnly((key) => key === 'b');
    expect(backoff.retryAt('a')).toBe(-Infinity);
    expect(backoff.retryAt('b')).toBe(1_000);
  });

  it('never waits longer than a ceiling shorter than a second', () => {
    expect(new ListingBackoff(200).failed('a', 0).retryInMs).toBe(200);
  });
});

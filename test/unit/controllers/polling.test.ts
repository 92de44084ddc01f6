import { describe, expect, it } from '@jest/globals';
import { deletionPollMs, pollDelay, untilGone } from '../../../src/controllers/common/polling.js';

const settings = { minMs: 5_000, maxMs: 300_000, finishedMs: 3_600_000 };

describe('pollDelay', () => {
  it('polls at the floor right after a change', () => {
    expect(pollDelay(0, settings)).toBe(5_000);
  });

  it('waits as long as the state has lasted, up to the ceiling', () => {
    expect(pollDelay(40_000, settings)).toBe(40_000);
    expect(pollDelay(3_600_000, settings)).toBe(300_000);
  });

  it('costs logarithmically many describes for a long state', () => {
    let age = 0;
    let describes = 0;
    while (age < 3_600_000) {
      age += pollDelay(age, settings);
      describes += 1;
    }
    // 5 s, 10, 20, ... doubling to the 5-minute ceiling, then every 5 minutes: 18 for an hour (ACK: 120).
    expect(describes).toBe(18);
  });

  it('with sweeps, describes a changing resource at the safety interval, and one going away as without sweeps', () => {
    const swept = { ...settings, sweptMs: 600_000 };
    expect(pollDelay(0, swept)).toBe(600_000);
    expect(pollDelay(3_600_000, swept)).toBe(600_000);
    expect(pollDelay(0, untilGone(swept))).toBe(5_000);
  });
});

describe('deletionPollMs', () => {
  it('looks again soon after the deletion was asked, and less often the longer it waits, even with sweeps', () => {
    const swept = { ...settings, sweptMs: 86_400_000 };
    expect(deletionPollMs(new Date(), swept)).toBe(5_000);
    expect(deletionPollMs(new Date(Date.now() - 3_600_000).toISOString(), swept)).toBe(300_000);
  });
});

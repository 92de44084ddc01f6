import { describe, expect, it } from '@jest/globals';
import { ActingFence } from '../../../src/runtime/fence.js';

describe('ActingFence', () => {
  it('allows acting until the renew deadline after the last successful renewal was sent', () => {
    let now = 1_000;
    const fence = new ActingFence(() => now);
    expect(fence.mayAct()).toBe(false);
    fence.renewed(1_000, 10_000);
    now = 10_999;
    expect(fence.mayAct()).toBe(true);
    now = 11_000;
    expect(fence.mayAct()).toBe(false); // e.g. the process was paused: no call until a renewal succeeds
    fence.renewed(10_500, 10_000);
    expect(fence.mayAct()).toBe(true);
    fence.revoke();
    expect(fence.mayAct()).toBe(false);
  });

  it('never moves the deadline back when renewals answer out of order', () => {
    let now = 0;
    const fence = new ActingFence(() => now);
    fence.renewed(5_000, 10_000);
    fence.renewed(1_000, 10_000);
    now = 14_000;
    expect(fence.mayAct()).toBe(true);
  });

  it('lets a single replica act until it shuts down', () => {
    const fence = new ActingFence(() => 0);
    fence.actAlone();
    expect(fence.mayAct()).toBe(true);
    fence.revoke();
    expect(fence.mayAct()).toBe(false);
  });
});

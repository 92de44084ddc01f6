import { describe, expect, it } from '@jest/globals';
import {
  REASONS,
  SPEC_CHANGE_REASONS,
  TERMINAL_REASONS,
  isReason,
  type ReasonInfo,
} from '../../../src/controllers/common/reasons.js';

const entries = Object.entries(REASONS as Record<string, ReasonInfo>);

describe('REASONS', () => {
  it('holds every reason DESIGN.md §3 names', () => {
    const design = [
      'Creating',
      'Updating',
      'InProgress',
      'Completed',
      'Failed',
      'Stopped',
      'WaitingForReference',
      'InvalidSpec',
      'AccessDenied',
      'QuotaExceeded',
      'Throttled',
      'SageMakerUnavailable',
      'UpdateFailed',
      'CreateFailed',
      'AlreadyExists',
      'PolicyViolation',
      'DeletedOutOfBand',
    ];
    for (const reason of design) expect(isReason(reason)).toBe(true);
  });

  it('names every reason in CamelCase with a one-line meaning', () => {
    for (const [reason, info] of entries) {
      expect(reason).toMatch(/^[A-Z][a-z]+(?:[A-Z][a-z]*)*$/);
      expect(info.meaning.length).toBeGreaterThan(10);
      expect(info.meaning).not.toContain('\n');
      expect(info.meaning).not.toContain('|');
    }
  });

  it('waits for a spec change on exactly the reasons retrying cannot fix', () => {
    expect([...SPEC_CHANGE_REASONS].sort()).toEqual(
      ['AlreadyExists', 'CreateFailed', 'InvalidSpec', 'PolicyViolation', 'UpdateFailed'].sort(),
    );
  });

  it('counts a reason that waits for a spec change as terminal', () => {
    for (const reason of SPEC_CHANGE_REASONS) expect(TERMINAL_REASONS.has(reason)).toBe(true);
  });

  it('reads terminal as "a person must act": failures and access, not retryable or progress reasons', () => {
    for (const reason of ['Failed', 'Stopped', 'DeletedOutOfBand', 'AccessDenied', 'CreateFailed'])
      expect(TERMINAL_REASONS.has(reason)).toBe(true);
    for (const reason of [
      'QuotaExceeded',
      'Throttled',
      'SageMakerUnavailable',
      'ReconcileError',
      'Creating',
      'Updating',
      'InProgress',
      'WaitingForReference',
      'ReconcileSuccess',
      'InService',
      'Completed',
    ])
      expect(TERMINAL_REASONS.has(reason)).toBe(false);
  });

  it('derives the sets from the flags', () => {
    expect(TERMINAL_REASONS.size).toBe(entries.filter(([, i]) => i.terminal).length);
    expect(SPEC_CHANGE_REASONS.size).toBe(entries.filter(([, i]) => i.waitsForSpecChange).length);
    expect(isReason('toString')).toBe(false);
    expect(isReason('Synced')).toBe(false);
  });
});

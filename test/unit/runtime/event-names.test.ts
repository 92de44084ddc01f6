import { describe, expect, it } from '@jest/globals';
import { eventName } from '../../../src/runtime/events.js';

// metadata.name of an events.k8s.io/v1 Event: a DNS subdomain of at most 253 characters.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NOW = Date.parse('2026-11-27T12:00:00Z');

describe('event names', () => {
  it('are <object name>.<time><random> for ordinary names', () => {
    expect(eventName('my-job', NOW, '0a1b')).toBe(`my-job.${NOW.toString(16)}0a1b`);
  });

  it.each([
    ['240 characters', 'a'.repeat(240)],
    ['253 characters', 'b'.repeat(253)],
    [
      '253 characters of dotted labels',
      Array.from({ length: 5 }, () => 'c'.repeat(50))
        .join('.')
        .slice(0, 253),
    ],
  ])('stay within 253 characters and valid for a name of %s', (_, name) => {
    expect([240, 253]).toContain(name.length);
    const event = eventName(name, NOW, 'ffff');
    expect(event.length).toBeLessThanOrEqual(253);
    expect(event).toMatch(DNS_SUBDOMAIN);
    expect(event.startsWith(name.slice(0, 200))).toBe(true);
    expect(event.endsWith(`.${NOW.toString(16)}ffff`)).toBe(true);
  });

  it('leave no dot or hyphen where the name was cut', () => {
    const suffixLength = `.${NOW.toString(16)}ffff`.length;
    for (const cutAt of ['.', '-', '-.', '.-']) {
      const head = 'e'.repeat(253 - suffixLength - cutAt.length);
      const event = eventName(`${head}${cutAt}${'f'.repeat(40)}`, NOW, 'ffff');
      expect(event).toBe(`${head}.${NOW.toString(16)}ffff`);
      expect(event).toMatch(DNS_SUBDOMAIN);
    }
  });

  it('differ for events recorded at other times or with another random part', () => {
    const name = 'g'.repeat(253);
    expect(eventName(name, NOW, 'ffff')).not.toBe(eventName(name, NOW + 1, 'ffff'));
    expect(eventName(name, NOW, 'ffff')).not.toBe(eventName(name, NOW, 'fffe'));
  });
});

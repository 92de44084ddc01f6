import { describe, expect, it } from '@jest/globals';
import { derivedName, MAX_NAME_LENGTH, sagemakerName, stableHash } from '../../../src/aws/naming.js';

const VALID = /^[a-zA-Z0-9](-?[a-zA-Z0-9])*$/;

describe('sagemakerName', () => {
  it('is <namespace>-<name> when that is already valid', () => {
    expect(sagemakerName('team-a', 'resnet-train')).toBe('team-a-resnet-train');
  });

  it('maps invalid characters, collapses hyphens and adds a hash when it had to change the name', () => {
    const name = sagemakerName('team-a', 'resnet.v2--run');
    expect(name).toMatch(/^team-a-resnet-v2-run-[0-9a-f]{8}$/);
    expect(name).toMatch(VALID);
    // The mapped form of another object must not collide with it.
    expect(sagemakerName('team-a', 'resnet-v2-run')).toBe('team-a-resnet-v2-run');
  });

  it('shortens long names with a hash of namespace/name, deterministically and uniquely', () => {
    const long = 'x'.repeat(70);
    const a = sagemakerName('ns', long);
    expect(a.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(a).toMatch(VALID);
    expect(sagemakerName('ns', long)).toBe(a);
    expect(sagemakerName('ns', long + 'y')).not.toBe(a);
    expect(a.endsWith(stableHash(`ns/${long}`))).toBe(true);
  });

  it('keeps names of exactly 63 characters and never ends the prefix with a hyphen', () => {
    const exact = 'a'.repeat(60);
    expect(sagemakerName('ns', exact)).toBe(`ns-${exact}`);
    const tricky = sagemakerName('ns', `${'b'.repeat(50)}.${'c'.repeat(20)}`);
    expect(tricky).toMatch(VALID);
    expect(tricky.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
  });

  it('handles the longest Kubernetes names: a 63-character namespace and a 253-character name', () => {
    const namespace = `team-${'n'.repeat(58)}`;
    const name = Array.from({ length: 5 }, (_, i) => String.fromCharCode(97 + i).repeat(50))
      .join('.')
      .slice(0, 253);
    expect(name).toHaveLength(253);
    const a = sagemakerName(namespace, name);
    expect(a).toMatch(VALID);
    expect(a.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(a.endsWith(stableHash(`${namespace}/${name}`))).toBe(true);
    // Names that differ only far past the cut still get different SageMaker names.
    expect(sagemakerName(namespace, `${name.slice(0, 252)}w`)).not.toBe(a);
  });
});

describe('derivedName and stableHash', () => {
  it('depends on content, not key order', () => {
    expect(stableHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      stableHash({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: 2 }));
  });

  it('appends the content hash and stays within 63 characters', () => {
    const config = { variants: [{ model: 'm', instanceType: 'ml.m5.large' }] };
    expect(derivedName('ns-endpoint', config)).toBe(`ns-endpoint-${stableHash(config)}`);
    const long = derivedName('e'.repeat(63), config);
    expect(long.length).toBe(MAX_NAME_LENGTH);
    expect(long).toMatch(VALID);
  });
});

import { describe, expect, it } from '@jest/globals';
import type { BotocoreModel } from '../../../src/crds/shapes/botocore.js';
import { DOCUMENTED_LIMITS, withDocumentedLimits } from '../../../src/crds/shapes/documented-limits.js';

const model = (shapes: BotocoreModel['shapes']): BotocoreModel => ({
  metadata: { targetPrefix: 'SageMaker', apiVersion: '2017-07-24' },
  operations: {},
  shapes,
});
const limited = () =>
  Object.fromEntries(
    Object.keys(DOCUMENTED_LIMITS).map((name) => [name, { type: 'integer' as const, min: 1 }]),
  );

describe('limits SageMaker documents beyond its model', () => {
  it('bounds the shapes the model leaves open, keeping their own minimum', () => {
    const shapes = withDocumentedLimits(model(limited())).shapes;
    expect(shapes.OptionalVolumeSizeInGB).toEqual({ type: 'integer', min: 1, max: 16384 });
    expect(shapes.MaxRuntimeInSeconds).toEqual({ type: 'integer', min: 1, max: 2_419_200 });
    expect(shapes.MaxPayloadInMB).toEqual({ type: 'integer', min: 1, max: 100 });
  });

  it('keeps a tighter limit the model may come to have', () => {
    const shapes = { ...limited(), MaxPayloadInMB: { type: 'integer' as const, max: 50 } };
    expect(withDocumentedLimits(model(shapes)).shapes.MaxPayloadInMB!.max).toBe(50);
  });

  it('fails when the model no longer has a limited shape, rather than enforce nothing', () => {
    const { MaxPayloadInMB: _, ...shapes } = limited();
    expect(() => withDocumentedLimits(model(shapes))).toThrow('MaxPayloadInMB');
  });
});

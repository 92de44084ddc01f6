import { describe, expect, it } from '@jest/globals';
import { evaluateGate, unmetMessage, valueAt } from '../../../../src/controllers/common/gates.js';
import type { Gate } from '../../../../src/crds/references.js';

const evaluation = { regression_metrics: { mse: { value: 7.21 }, r2: { value: 0.8 } }, labels: ['a', 'b'] };

const documentGate = (comparison: Partial<Gate>): Gate => ({
  jsonFrom: { processingJobRef: { name: 'evaluate', outputName: 'evaluation' }, key: 'evaluation.json' },
  path: 'regression_metrics.mse.value',
  ...comparison,
});

describe('valueAt', () => {
  it('follows keys and list positions', () => {
    expect(valueAt(evaluation, 'regression_metrics.mse.value')).toEqual({ found: true, value: 7.21 });
    expect(valueAt(evaluation, 'labels.1')).toEqual({ found: true, value: 'b' });
    expect(valueAt(evaluation, 'regression_metrics.mse')).toEqual({ found: true, value: { value: 7.21 } });
  });

  it('finds nothing past the end of the document', () => {
    expect(valueAt(evaluation, 'regression_metrics.rmse.value')).toEqual({ found: false });
    expect(valueAt(evaluation, 'labels.2')).toEqual({ found: false });
    expect(valueAt(evaluation, 'regression_metrics.mse.value.more')).toEqual({ found: false });
  });
});

describe('evaluateGate', () => {
  it.each([
    [{ lessThan: 7.21 }, false],
    [{ lessThan: 7.3 }, true],
    [{ lessThanOrEqualTo: 7.21 }, true],
    [{ lessThanOrEqualTo: 6 }, false],
    [{ greaterThan: 7.21 }, false],
    [{ greaterThanOrEqualTo: 7.21 }, true],
    [{ equalTo: 7.21 }, true],
    [{ equalTo: '7.21' }, true],
    [{ in: [1, 7.21] }, true],
    [{ in: ['x'] }, false],
  ])('applies %j to 7.21: %s', (comparison, met) => {
    expect(evaluateGate(documentGate(comparison), 7.21).met).toBe(met);
  });

  it('compares strings as strings, and refuses to order what is not a number', () => {
    expect(evaluateGate(documentGate({ equalTo: 'Approved' }), 'Approved').met).toBe(true);
    expect(evaluateGate(documentGate({ in: ['Approved', 'Pending'] }), 'Rejected').met).toBe(false);
    expect(evaluateGate(documentGate({ lessThan: 6 }), 'low').met).toBe(false);
    expect(evaluateGate(documentGate({ lessThan: 6 }), '5.5').met).toBe(true);
  });

  it('records what it read, where, and the condition as applied', () => {
    expect(evaluateGate(documentGate({ lessThanOrEqualTo: 6 }), 5.2, 'ns-evaluate')).toEqual({
      source: 'ProcessingJob evaluate, evaluation.json',
      path: 'regression_metrics.mse.value',
      value: '5.2',
      condition: '5.2 <= 6',
      met: true,
      jobName: 'ns-evaluate',
    });
  });

  it("reads a TrainingJob's final metric by name", () => {
    const gate: Gate = {
      jsonFrom: { trainingJobRef: { name: 'train' }, metricName: 'validation:rmse' },
      lessThan: 0.5,
    };
    expect(evaluateGate(gate, 0.42)).toMatchObject({
      source: 'TrainingJob train, validation:rmse',
      met: true,
    });
  });
});

describe('unmetMessage', () => {
  it('says the value, the bound it missed and where it was read', () => {
    const gate = documentGate({ lessThanOrEqualTo: 6 });
    expect(unmetMessage(gate, evaluateGate(gate, 7.21))).toBe(
      'regression_metrics.mse.value is 7.21, not <= 6 (ProcessingJob evaluate, evaluation.json)',
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { conditionKeys } from './condition-keys.js';
import { better, childName, evaluate, gridSize, tunedHyperParameters } from './tuning-search.js';

describe('tuning search', () => {
  it('names training jobs <tuning job>-<NNN>-<8 hex>, stably', () => {
    expect(childName('my-hpo', 1)).toMatch(/^my-hpo-001-[0-9a-f]{8}$/);
    expect(childName('my-hpo', 12)).toMatch(/^my-hpo-012-[0-9a-f]{8}$/);
    expect(childName('my-hpo', 1)).toBe(childName('my-hpo', 1));
    expect(childName('my-hpo', 1)).not.toBe(childName('my-hpo', 2));
  });

  it('walks Grid combinations in order, the last range fastest', () => {
    const ranges = {
      CategoricalParameterRanges: [
        { Name: 'a', Values: ['x', 'y'] },
        { Name: 'b', Values: ['1', '2', '3'] },
      ],
    };
    expect(gridSize(ranges)).toBe(6);
    const picks = [1, 2, 3, 4, 5, 6].map((n) =>
      tunedHyperParameters(ranges, n, { strategy: 'Grid', seed: 's' }),
    );
    expect(picks.map((p) => `${p.a}${p.b}`)).toEqual(['x1', 'x2', 'x3', 'y1', 'y2', 'y3']);
  });

  it('picks values within the ranges, deterministically, on the range scale', () => {
    const ranges = {
      IntegerParameterRanges: [{ Name: 'rounds', MinValue: '10', MaxValue: '20' }],
      ContinuousParameterRanges: [
        { Name: 'eta', MinValue: '0.001', MaxValue: '1', ScalingType: 'Logarithmic' as const },
      ],
      CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
    };
    for (let n = 1; n <= 50; n++) {
      const picked = tunedHyperParameters(ranges, n, { strategy: 'Random', seed: 's' });
      expect(Number.isInteger(Number(picked.rounds))).toBe(true);
      expect(Number(picked.rounds)).toBeGreaterThanOrEqual(10);
      expect(Number(picked.rounds)).toBeLessThanOrEqual(20);
      expect(Number(picked.eta)).toBeGreaterThanOrEqual(0.001);
      expect(Number(picked.eta)).toBeLessThanOrEqual(1);
      expect(['gbtree', 'dart']).toContain(picked.booster);
      expect(picked).toEqual(tunedHyperParameters(ranges, n, { strategy: 'Random', seed: 's' }));
    }
    const other = tunedHyperParameters(ranges, 1, { strategy: 'Random', seed: 't' });
    expect(other).not.toEqual(tunedHyperParameters(ranges, 1, { strategy: 'Random', seed: 's' }));
  });

  it('compares objective values in the direction of the objective', () => {
    expect(better('Minimize', 1, 2)).toBe(true);
    expect(better('Maximize', 1, 2)).toBe(false);
    expect(better('Maximize', 2, 2)).toBe(false);
  });

  it('evaluates a steered objective formula on numeric hyperparameters', () => {
    expect(evaluate({ intercept: 1, weights: { a: 2, b: -1, c: 5 } }, { a: '3', b: '0.5', c: 'text' })).toBe(
      6.5,
    );
  });
});

describe("CreateHyperParameterTuningJob's condition keys", () => {
  it('hold the values of every training job definition, and only the keys IAM documents', () => {
    const definition = (subnet: string, isolation: boolean) => ({
      VpcConfig: { Subnets: [subnet], SecurityGroupIds: ['sg-1'] },
      EnableNetworkIsolation: isolation,
      ResourceConfig: { InstanceType: 'ml.m5.large', VolumeKmsKeyId: 'volume' },
      OutputDataConfig: { KmsKeyId: 'output' },
      StoppingCondition: { MaxRuntimeInSeconds: 60 },
    });
    const keys = conditionKeys(
      'CreateHyperParameterTuningJob',
      { TrainingJobDefinitions: [definition('subnet-a', true), definition('subnet-b', false)] },
      { partition: 'aws', region: 'us-east-1', account: '123456789012' },
    );
    expect(keys).toEqual({
      'sagemaker:VpcSubnets': ['subnet-a', 'subnet-b'],
      'sagemaker:VpcSecurityGroupIds': ['sg-1', 'sg-1'],
      'sagemaker:NetworkIsolation': ['true', 'false'],
      'sagemaker:InterContainerTrafficEncryption': [],
      'sagemaker:VolumeKmsKey': ['volume', 'volume'],
      'sagemaker:OutputKmsKey': ['output', 'output'],
    });
  });
});

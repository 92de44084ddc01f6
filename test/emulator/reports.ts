/**
 * Model Monitor report files in the formats of the built-in analyzer container (reference §4.5),
 * for a fixed, synthetic dataset: numbers are stable so tests can compare them.
 */
interface Feature {
  name: string;
  inferredType: 'Fractional' | 'Integral' | 'String';
}

const features: Feature[] = [
  { name: '_c0', inferredType: 'Fractional' },
  { name: '_c1', inferredType: 'Integral' },
  { name: '_c2', inferredType: 'String' },
];

const itemCount = 100;

function numericalStatistics(index: number) {
  const min = index;
  const max = index + 10;
  const bucketWidth = (max - min) / 10;
  return {
    common: { num_present: itemCount, num_missing: 0 },
    mean: (min + max) / 2,
    sum: ((min + max) / 2) * itemCount,
    std_dev: 2.5,
    min,
    max,
    distribution: {
      kll: {
        buckets: Array.from({ length: 10 }, (_, i) => ({
          lower_bound: min + i * bucketWidth,
          upper_bound: min + (i + 1) * bucketWidth,
          count: itemCount / 10,
        })),
        sketch: { parameters: { c: 0.64, k: 2048 }, data: [[min, (min + max) / 2, max]] },
      },
    },
  };
}

export function statistics(): string {
  return JSON.stringify({
    version: 0,
    dataset: { item_count: itemCount },
    features: features.map((f, i) => ({
      name: f.name,
      inferred_type: f.inferredType,
      ...(f.inferredType === 'String'
        ? {
            string_statistics: {
              common: { num_present: itemCount, num_missing: 0 },
              distinct_count: 2,
              distribution: {
                categorical: {
                  buckets: [
                    { value: 'a', count: itemCount / 2 },
                    { value: 'b', count: itemCount / 2 },
                  ],
                },
              },
            },
          }
        : { numerical_statistics: numericalStatistics(i) }),
    })),
  });
}

export function constraints(): string {
  return JSON.stringify({
    version: 0,
    features: features.map((f) => ({
      name: f.name,
      inferred_type: f.inferredType,
      completeness: 1,
      ...(f.inferredType === 'String'
        ? { string_constraints: { domains: ['a', 'b'] } }
        : { num_constraints: { is_non_negative: true } }),
    })),
    monitoring_config: {
      evaluate_constraints: 'Enabled',
      emit_metrics: 'Enabled',
      datatype_check_threshold: 0.1,
      domain_content_threshold: 0.1,
      distribution_constraints: {
        perform_comparison: 'Enabled',
        comparison_threshold: 0.1,
        comparison_method: 'Robust',
      },
    },
  });
}

export function constraintViolations(violated: boolean): string {
  return JSON.stringify({
    violations: violated
      ? [
          {
            feature_name: '_c0',
            constraint_check_type: 'baseline_drift_check',
            description: 'Baseline drift distance: 0.42 exceeds threshold: 0.1',
          },
          {
            feature_name: '_c2',
            constraint_check_type: 'categorical_values_check',
            description:
              "Value: 0.3 above the threshold: 0.1 - found values outside the baseline domain ['a', 'b']",
          },
        ]
      : [],
  });
}

/**
 * The pure part of hyperparameter tuning: the names of the training jobs a tuning job launches, the
 * hyperparameter values each one gets, and which objective value is better. Deterministic, so a test
 * can predict what the N-th training job of a tuning job trains with.
 */
import type { ParameterRanges } from '@aws-sdk/client-sagemaker';
import { createHash } from 'node:crypto';
import type { Wire } from './context.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** A stable fraction in [0, 1) for a text. */
const fraction = (text: string): number => digest(text).readUInt32BE(0) / 2 ** 32;

/**
 * SageMaker names the N-th (1-based) training job of a tuning job `<tuning job>-<NNN>-<8 hex>`
 * (e.g. `unit-testing-hpo-job-001-589e2e9f` in ACK's recorded DescribeHyperParameterTuningJob).
 */
export function childName(tuningJob: string, launch: number): string {
  const hex = digest(`${tuningJob.toLowerCase()}/${launch}`).toString('hex').slice(0, 8);
  return `${tuningJob}-${String(launch).padStart(3, '0')}-${hex}`;
}

/** The number of distinct combinations of the categorical ranges (what Grid search walks through). */
export function gridSize(ranges: Wire<ParameterRanges> | undefined): number {
  return (ranges?.CategoricalParameterRanges ?? []).reduce((n, r) => n * (r.Values?.length ?? 1), 1);
}

/** Formats a continuous value the way a hyperparameter map carries it: a decimal string. */
const decimal = (value: number): string => String(Number(value.toPrecision(6)));

function scaled(min: number, max: number, f: number, scaling: string | undefined): number {
  if (scaling === 'Logarithmic' && min > 0)
    return Math.exp(Math.log(min) + f * (Math.log(max) - Math.log(min)));
  if (scaling === 'ReverseLogarithmic' && max < 1) {
    // Dense near 1: logarithmic on 1 - value.
    const [lo, hi] = [1 - max, 1 - min];
    return 1 - Math.exp(Math.log(lo) + (1 - f) * (Math.log(hi) - Math.log(lo)));
  }
  return min + f * (max - min);
}

/**
 * The values the N-th (1-based) training job tries for every range. Grid walks the categorical
 * combinations in order (the last range fastest); the other strategies pick a stable pseudo-random
 * point from the tuning job's name, `RandomSeed`, the launch number and the range's name.
 */
export function tunedHyperParameters(
  ranges: Wire<ParameterRanges> | undefined,
  launch: number,
  options: { strategy: string; seed: string },
): Record<string, string> {
  const tuned: Record<string, string> = {};
  const pick = (name: string): number => fraction(`${options.seed}/${launch}/${name}`);
  for (const range of ranges?.IntegerParameterRanges ?? []) {
    const min = Number(range.MinValue);
    const max = Number(range.MaxValue);
    const value = Math.round(scaled(min, max, pick(range.Name ?? ''), range.ScalingType));
    tuned[range.Name ?? ''] = String(Math.min(max, Math.max(min, value)));
  }
  for (const range of ranges?.ContinuousParameterRanges ?? []) {
    const value = scaled(
      Number(range.MinValue),
      Number(range.MaxValue),
      pick(range.Name ?? ''),
      range.ScalingType,
    );
    tuned[range.Name ?? ''] = decimal(value);
  }
  const categorical = ranges?.CategoricalParameterRanges ?? [];
  if (options.strategy === 'Grid') {
    let rest = launch - 1;
    for (const range of [...categorical].reverse()) {
      const values = range.Values ?? [];
      tuned[range.Name ?? ''] = values[rest % values.length] ?? '';
      rest = Math.floor(rest / Math.max(1, values.length));
    }
  } else {
    for (const range of categorical) {
      const values = range.Values ?? [];
      tuned[range.Name ?? ''] = values[Math.floor(pick(range.Name ?? '') * values.length)] ?? '';
    }
  }
  return tuned;
}

/** Whether `a` is a better objective value than `b` in the objective's direction. */
export const better = (type: string | undefined, a: number, b: number): boolean =>
  type === 'Maximize' ? a > b : a < b;

/**
 * A linear function of the hyperparameters a test steers the objective with: `intercept` plus each
 * weight times the hyperparameter's numeric value (a categorical value that is not a number counts 0).
 */
export interface ObjectiveFormula {
  intercept?: number;
  weights: Record<string, number>;
}

export function evaluate(formula: ObjectiveFormula, hyperParameters: Record<string, string>): number {
  let value = formula.intercept ?? 0;
  for (const [name, weight] of Object.entries(formula.weights)) {
    const x = Number(hyperParameters[name]);
    if (Number.isFinite(x)) value += weight * x;
  }
  return value;
}

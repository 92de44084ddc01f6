import type { Gate, GateRecord } from '../../crds/references.js';

/*
 * The `when` conditions: what each reads, and whether what it read meets it. Pure: reading the
 * documents is the caller's.
 */

/** What a gate read: a value found at its path, or nothing there. */
export type Reading = { found: true; value: unknown } | { found: false };

/** The value at a dot-separated path in a JSON document (list positions as numbers). */
export function valueAt(document: unknown, path: string): Reading {
  let current: unknown = document;
  for (const step of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(step) && Number(step) < current.length)
      current = current[Number(step)];
    else if (current !== null && typeof current === 'object' && !Array.isArray(current) && step in current)
      current = (current as Record<string, unknown>)[step];
    else return { found: false };
  }
  return { found: true, value: current };
}

type Comparison =
  'lessThan' | 'lessThanOrEqualTo' | 'greaterThan' | 'greaterThanOrEqualTo' | 'equalTo' | 'in';

const SYMBOLS: Record<Comparison, string> = {
  lessThan: '<',
  lessThanOrEqualTo: '<=',
  greaterThan: '>',
  greaterThanOrEqualTo: '>=',
  equalTo: '==',
  in: 'in',
};

function comparisonOf(gate: Gate): { comparison: Comparison; operand: unknown } {
  for (const comparison of Object.keys(SYMBOLS) as Comparison[])
    if (gate[comparison] !== undefined) return { comparison, operand: gate[comparison] };
  throw new Error('a gate without a comparison');
}

/** Equal as a person reads them: 6 and "6" alike, a boolean and its name alike. */
function sameValue(value: unknown, operand: unknown): boolean {
  if (typeof value === 'number' || typeof operand === 'number') return Number(value) === Number(operand);
  return String(value) === String(operand);
}

function holds(comparison: Comparison, value: unknown, operand: unknown): boolean {
  switch (comparison) {
    case 'equalTo':
      return sameValue(value, operand);
    case 'in':
      return (operand as unknown[]).some((candidate) => sameValue(value, candidate));
    default: {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : NaN;
      if (Number.isNaN(number)) return false;
      const bound = operand as number;
      if (comparison === 'lessThan') return number < bound;
      if (comparison === 'lessThanOrEqualTo') return number <= bound;
      if (comparison === 'greaterThan') return number > bound;
      return number >= bound;
    }
  }
}

const rendered = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** How messages and status name what a gate reads: `ProcessingJob evaluate, evaluation.json`. */
export function gateSource(gate: Gate): string {
  const from = gate.jsonFrom;
  if (from.trainingJobRef) return `TrainingJob ${from.trainingJobRef.name}, ${from.metricName ?? ''}`;
  return `ProcessingJob ${from.processingJobRef?.name ?? ''}, ${from.key ?? ''}`;
}

/** The gate applied to the value it read. */
export function evaluateGate(gate: Gate, value: unknown, jobName?: string): GateRecord {
  const { comparison, operand } = comparisonOf(gate);
  const condition = `${rendered(value)} ${SYMBOLS[comparison]} ${rendered(operand)}`;
  return {
    source: gateSource(gate),
    ...(gate.path === undefined ? {} : { path: gate.path }),
    value: value === undefined ? 'null' : JSON.stringify(value),
    condition,
    met: holds(comparison, value, operand),
    ...(jobName === undefined ? {} : { jobName }),
  };
}

/** What a person reads of an unmet gate: `regression_metrics.mse.value is 7.21, not <= 6 (ProcessingJob evaluate, evaluation.json)`. */
export function unmetMessage(gate: Gate, record: GateRecord): string {
  const { comparison, operand } = comparisonOf(gate);
  const subject = gate.path ?? gate.jsonFrom.metricName ?? 'value';
  const value = JSON.parse(record.value) as unknown;
  return `${subject} is ${rendered(value)}, not ${SYMBOLS[comparison]} ${rendered(operand)} (${record.source})`;
}

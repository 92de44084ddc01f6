/** When a monitoring schedule runs: once (`NOW`), or every `hours` hours. */
export type Cadence = { kind: 'once' } | { kind: 'every'; hours: number };

/**
 * The schedule expressions SageMaker accepts (reference §4.1): hourly `cron(0 * ? * * *)`, daily
 * `cron(0 H ? * * *)`, every N hours `cron(0 H/N ? * * *)`, and `NOW`. Anything else is undefined.
 */
export function parseScheduleExpression(expression: string): Cadence | undefined {
  if (expression === 'NOW') return { kind: 'once' };
  const match = /^cron\(0 (\*|\d{1,2})(?:\/(\d{1,2}))? \? \* \* \*\)$/.exec(expression.trim());
  if (!match) return undefined;
  const [, hour, step] = match;
  if (hour !== '*' && Number(hour) > 23) return undefined;
  if (step !== undefined) {
    const hours = Number(step);
    return hour !== '*' && hours >= 1 && hours <= 24 ? { kind: 'every', hours } : undefined;
  }
  return { kind: 'every', hours: hour === '*' ? 1 : 24 };
}

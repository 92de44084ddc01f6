/**
 * When a monitoring schedule runs: once (`NOW`), or every `hours` hours of the UTC day starting at
 * hour `firstHour` (cron's `H/N`: H, H+N, ... up to 23, then H again the next day).
 */
export type Cadence = { kind: 'once' } | { kind: 'every'; hours: number; firstHour: number };

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
    return hour !== '*' && hours >= 1 && hours <= 24
      ? { kind: 'every', hours, firstHour: Number(hour) }
      : undefined;
  }
  return hour === '*'
    ? { kind: 'every', hours: 1, firstHour: 0 }
    : { kind: 'every', hours: 24, firstHour: Number(hour) };
}

/**
 * The first time after `after` (seconds) at the top of an hour the cadence runs in. Hours are
 * `hourSeconds` long and counted from the epoch, so in scaled time hour n of the day is n % 24.
 */
export function nextScheduledTime(
  cadence: Extract<Cadence, { kind: 'every' }>,
  after: number,
  hourSeconds: number,
): number {
  for (let hour = Math.floor(after / hourSeconds) + 1; ; hour++) {
    const ofDay = hour % 24;
    if (ofDay >= cadence.firstHour && (ofDay - cadence.firstHour) % cadence.hours === 0) {
      return hour * hourSeconds;
    }
  }
}

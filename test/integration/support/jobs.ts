import type { SettingsPatch } from '../../emulator/index.js';
import type { OperatorHarness } from './operator.js';

/** Calls to `operation` about `resource`; with `outcome`, only those answered so ('ok'). */
export async function callsFor(
  h: OperatorHarness,
  resource: string,
  operation: string,
  outcome?: string,
): Promise<number> {
  const { calls } = await h.cloud.emulator.control.calls({ resource, operation });
  return calls.filter((c) => outcome === undefined || c.outcome === outcome).length;
}

/** Runs `run` with the emulator's `timings`, then puts back `restored`. */
export async function withTimings(
  h: OperatorHarness,
  timings: SettingsPatch['timings'],
  restored: SettingsPatch['timings'],
  run: () => Promise<void>,
): Promise<void> {
  await h.cloud.emulator.control.configure({ timings });
  try {
    await run();
  } finally {
    await h.cloud.emulator.control.configure({ timings: restored });
  }
}

/** The requests of the calls to `operation` about `resource` that SageMaker accepted, as they reached it. */
export async function requestsTo<T = Record<string, unknown>>(
  h: OperatorHarness,
  resource: string,
  operation: string,
): Promise<T[]> {
  const { calls } = await h.cloud.emulator.control.calls({ resource, operation });
  return calls.filter((c) => c.outcome === 'ok').map((c) => c.request as T);
}

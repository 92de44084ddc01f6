/**
 * Runs `work` on every item, at most `limit` at a time, starting no new item once `deadline` (a
 * performance.now() time) has passed or `signal` has fired. Each item's failure is its own: `work`
 * handles it. Returns the items that were not started.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  signal: AbortSignal,
  deadline = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted && performance.now() < deadline) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  signal.throwIfAborted();
  return items.slice(next);
}

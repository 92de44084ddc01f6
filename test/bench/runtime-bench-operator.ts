/**
 * The operator side of runtime-bench.ts, in its own process so that its memory is measured alone:
 * the real runtime (startOperator) with a no-op reconciler. Reports progress as JSON lines on stdout.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { defineController, done, startOperator } from '../../src/runtime/index.js';
import type { KubeObject } from '../../src/runtime/index.js';

const [kubeconfig, namespace, total, driftMs] = process.argv.slice(2);
const expected = Number(total);
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig ?? '');
const report = (event: string, data: Record<string, unknown> = {}): void => {
  process.stdout.write(
    `${JSON.stringify({ event, ms: Math.round(performance.now() - started), rssMb: rssMb(), ...heapMb(), ...data })}\n`,
  );
};
const rssMb = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);
const heapMb = (): Record<string, number> => {
  const m = process.memoryUsage();
  const mb = (n: number): number => Math.round(n / 2 ** 20);
  return { heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) };
};

const seen = new Set<string>();
let reconciles = 0;
const started = performance.now();
const operator = await startOperator({
  controllers: [
    defineController<KubeObject>({
      kind: { group: 'test.mlops.dev', version: 'v1', plural: 'benchmarks', kind: 'Benchmark' },
      reconcile: (_ctx, obj) => {
        reconciles++;
        seen.add(obj.metadata?.name ?? '');
        if (seen.size === expected && reconciles === expected) setImmediate(() => void passDone());
        return done;
      },
    }),
  ],
  kubeConfig: kc,
  log: pino({ level: 'warn' }),
  namespaces: [namespace ?? ''],
  metricsAddr: '127.0.0.1:0',
  healthAddr: '0',
  driftIntervalMs: Number(driftMs),
});
report('started', { metrics: operator.metricsAddress });
await operator.waitForSync();
report('synced');

// The pass is over when every object has been reconciled and its status write has returned.
async function passDone(): Promise<void> {
  const url = `http://${operator.metricsAddress ?? ''}/metrics`;
  for (;;) {
    const text = await (await fetch(url)).text();
    const count =
      /^controller_runtime_reconcile_total\{controller="benchmark",result="success"\} (\d+)/m.exec(text)?.[1];
    if (Number(count) >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  report('pass');
}

setInterval(() => {
  report('tick', { reconciles });
}, 5000).unref();

process.on('SIGTERM', () => {
  void operator.stop().then(() => process.exit(0));
});

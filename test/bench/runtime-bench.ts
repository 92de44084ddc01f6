/**
 * Controller runtime at scale: `npx tsx test/bench/runtime-bench.ts [--objects 10000] [--rest-seconds 30]`.
 *
 * On a private control plane: creates N objects of a test kind, then starts the operator (real
 * runtime, no-op reconciler, own process) and measures the time to list everything and to finish
 * one reconcile pass (each object's first pass writes its Synced condition and observedGeneration),
 * the operator's resident memory, and the writes it makes at rest, counted by the apiserver itself,
 * while a drift re-check of every object runs inside the rest window.
 * Targets: list + one pass < 60 s, RSS < 300 MB, zero writes at rest.
 * BENCH_NODE_FLAGS sets the operator's Node flags (default --max-old-space-size=192 --max-semi-space-size=4).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane } from '../rig/index.js';
import { apiserverMetrics, apiserverWrites } from '../rig/apiserver-http.js';
import { installTestCrd, testKind } from '../integration/runtime/support.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000' },
    'rest-seconds': { type: 'string', default: '30' },
  },
});
const total = Number(values.objects);
const restSeconds = Number(values['rest-seconds']);
const kind = testKind('Benchmark');
const namespace = 'bench';

async function writesToBenchmarkObjects(kc: KubeConfig): Promise<number> {
  return apiserverWrites(await apiserverMetrics(kc), kind.plural);
}

const rssOf = (pid: number): number =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

const root = fileURLToPath(new URL('../..', import.meta.url));
const buildDir = join(root, '.local', 'bench-build');
// Emits even if some other part of the project does not typecheck at the moment.
spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(root, 'tsconfig.json'),
    '--outDir',
    buildDir,
    '--sourceMap',
    'false',
  ],
  { stdio: 'ignore' },
);
// V8 grows its heap with allocation churn and keeps it; what stays live is ~50 MB for 10k objects.
// A heap cap, as a container memory limit would set, keeps resident memory near that.
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=192 --max-semi-space-size=4')
  .split(' ')
  .filter(Boolean);
const compiledOperator = join(buildDir, 'test/bench/runtime-bench-operator.js');
if (!existsSync(compiledOperator)) throw new Error(`compilation did not produce ${compiledOperator}`);

const cp = await startControlPlane();
try {
  const kc = cp.kubeConfig();
  await installTestCrd(kc, kind);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const api = kc.makeApiClient(CustomObjectsApi);
  const creating = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < total) {
        const i = next++;
        await api.createNamespacedCustomObject({
          group: kind.group,
          version: kind.version,
          plural: kind.plural,
          namespace,
          body: {
            apiVersion: `${kind.group}/${kind.version}`,
            kind: kind.kind,
            metadata: { name: `obj-${i}`, labels: { app: 'bench' } },
            spec: { size: i, image: 'registry.example/model:1', instanceType: 'ml.m5.large' },
          },
        });
      }
    }),
  );
  console.log(`created ${total} objects in ${((performance.now() - creating) / 1000).toFixed(1)} s`);

  const drift = Math.max(5000, Math.round((restSeconds * 1000) / 2));
  // The operator runs as compiled JavaScript, as in production: a TypeScript loader would add ~50 MB.
  const child = spawn(
    process.execPath,
    [...nodeFlags, compiledOperator, cp.kubeconfigPath, namespace, String(total), String(drift)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const events = new Map<string, Record<string, number>>();
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const event = JSON.parse(line) as { event: string } & Record<string, number>;
      events.set(event.event, event);
      if (event.event !== 'tick') console.log(`operator: ${line}`);
    }
  });
  const waitEvent = async (name: string): Promise<Record<string, number>> => {
    while (!events.has(name)) await new Promise((resolve) => setTimeout(resolve, 50));
    return events.get(name) ?? {};
  };
  const synced = await waitEvent('synced');
  const pass = await waitEvent('pass');
  const rssAfterPass = rssOf(child.pid ?? 0);

  await new Promise((resolve) => setTimeout(resolve, 2000)); // watch events of the pass's own writes settle
  const writesBefore = await writesToBenchmarkObjects(kc);
  const reconcilesBefore = events.get('tick')?.reconciles ?? 0;
  await new Promise((resolve) => setTimeout(resolve, restSeconds * 1000));
  const writesAtRest = (await writesToBenchmarkObjects(kc)) - writesBefore;
  const reconcilesAtRest = (events.get('tick')?.reconciles ?? 0) - reconcilesBefore;
  const rssAtRest = rssOf(child.pid ?? 0);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));

  const seconds = (ms: number | undefined): string => ((ms ?? 0) / 1000).toFixed(1);
  console.log('\nresults');
  console.log(`  objects                         ${total}`);
  console.log(`  operator node flags             ${nodeFlags.join(' ') || '(none)'}`);
  console.log(`  list (cache synced)             ${seconds(synced.ms)} s after start`);
  console.log(`  list + one reconcile pass       ${seconds(pass.ms)} s after start (target < 60 s)`);
  console.log(`  RSS after the pass              ${rssAfterPass} MB (target < 300 MB)`);
  console.log(`  RSS at rest                     ${rssAtRest} MB`);
  console.log(
    `  at rest: ${restSeconds} s, drift re-checks ${reconcilesAtRest} (drift interval ${drift / 1000} s)`,
  );
  console.log(`  API writes at rest              ${writesAtRest} (target 0)`);
} finally {
  await cp.stop();
}

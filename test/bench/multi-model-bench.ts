/**
 * A MultiModelSet at scale: `npx tsx test/bench/multi-model-bench.ts [--models 10000]
 * [--time-scale 0.01] [--rest-hours 1] [--copy-concurrency 16]`.
 *
 * On a private control plane, moto's S3 and the SageMaker emulator, uploads N source artifacts,
 * starts the operator as its own compiled process and applies one MultiModelSet listing them all. It
 * measures the time until every model is in place (Ready), S3 calls per model to converge (target ≈ 1
 * copy and 1 source read), S3 calls per hour at rest (target: one ListObjectsV2 page per 1,000 keys
 * per drift interval), the operator's memory, and the size of the status and of the targets
 * ConfigMap (status ≤ 100 KiB). The drift interval (10 min) is scaled by the time scale, so the rest
 * window holds as many drift intervals as an hour does; the copies themselves are not scaled: they
 * go as fast as moto and --multi-model-copy-concurrency let them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { SERVICE_LABELS } from '../../src/aws/metrics.js';
import { GROUP, VERSION } from '../../src/crds/index.js';
import {
  compileOperator,
  CREDENTIALS,
  cpuSeconds,
  metricSum,
  NAMESPACE,
  PRODUCTION,
  printTable,
  REGION,
  restWindow,
  rssMb,
  startOperator,
  startRig,
  stopAll,
} from './support.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: '10000' },
    'time-scale': { type: 'string', default: '0.01' },
    'rest-hours': { type: 'string', default: '1' },
    'copy-concurrency': { type: 'string', default: '16' },
  },
});
const total = Number(values.models);
const scale = Number(values['time-scale']);
const restHours = Number(values['rest-hours']);
const BUCKET = 'bench-multi-model';
const PLURAL = 'multimodelsets';
const NAME = 'cities';

process.env.SAGEMAKER_OPERATOR_MULTI_MODEL_COPY_CONCURRENCY = values['copy-concurrency'];

/** S3 requests the operator made, per operation. */
function s3Calls(metrics: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of metrics.split('\n')) {
    const match = /^aws_api_requests_total\{(.*)\} (\d+)/.exec(line);
    if (!match?.[1]?.includes(`service="${SERVICE_LABELS.s3}"`)) continue;
    const operation = /operation="([^"]+)"/.exec(match[1])?.[1] ?? '?';
    calls.set(operation, (calls.get(operation) ?? 0) + Number(match[2]));
  }
  return calls;
}

const sum = (calls: Map<string, number>): number => [...calls.values()].reduce((a, b) => a + b, 0);
const minus = (a: Map<string, number>, b: Map<string, number>): Map<string, number> =>
  new Map([...a].map(([op, n]) => [op, n - (b.get(op) ?? 0)] as const).filter(([, n]) => n > 0));
const show = (calls: Map<string, number>, per = 1): string =>
  [...calls]
    .sort()
    .map(([op, n]) => `${op} ${(n / per).toFixed(per === 1 ? 0 : 3)}`)
    .join(' · ');

interface Status {
  models?: { ready: number; desired: number };
  conditions?: { type: string; status: string }[];
}

const modelName = (i: number): string => `city_${String(i).padStart(5, '0')}`;

const compiledOperator = compileOperator('multi-model-bench-build');
const rig = await startRig({ scale, timings: {}, bucket: BUCKET });
try {
  const { kc } = rig;
  const s3 = new S3Client({
    endpoint: rig.s3Endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  const uploadStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < total) {
        const i = next++;
        await s3.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: `sources/${modelName(i)}.tar.gz`, Body: `model ${i}` }),
        );
      }
    }),
  );
  s3.destroy();
  console.log(`uploaded ${total} sources in ${((performance.now() - uploadStarted) / 1000).toFixed(1)} s`);

  const operator = await startOperator(rig, compiledOperator, scale, 4);
  const { pid, scrape } = operator;
  const api = kc.makeApiClient(CustomObjectsApi);
  const readSet = async (): Promise<{ status?: Status }> =>
    (await api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NAMESPACE,
      plural: PLURAL,
      name: NAME,
    })) as { status?: Status };
  const callsBefore = s3Calls(await scrape());
  const cpuBefore = cpuSeconds(pid);
  const applied = performance.now();
  await api.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: NAMESPACE,
    plural: PLURAL,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'MultiModelSet',
      metadata: { name: NAME },
      spec: {
        modelDataPrefix: `s3://${BUCKET}/mme/`,
        models: Array.from({ length: total }, (_, i) => ({
          name: modelName(i),
          s3Uri: `s3://${BUCKET}/sources/${modelName(i)}.tar.gz`,
        })),
      },
    },
  });

  let status: Status = {};
  let lastReport = 0;
  for (;;) {
    status = (await readSet()).status ?? {};
    if (status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
    const elapsed = performance.now() - applied;
    if (elapsed - lastReport > 10_000) {
      lastReport = elapsed;
      console.log(`  ${(elapsed / 1000).toFixed(0)} s: ${status.models?.ready ?? 0} of ${total} in place`);
    }
    if (operator.exitCode() !== null) throw new Error('the operator exited');
    if (elapsed > 20 * 60_000) throw new Error('not ready within 20 minutes');
    await sleep(250);
  }
  const readyMs = performance.now() - applied;
  const cpuRun = cpuSeconds(pid) - cpuBefore;
  const rssPeakRun = rssMb(pid, 'VmHWM');
  const rssAtReady = rssMb(pid, 'VmRSS');
  await sleep(500);
  const converge = minus(s3Calls(await scrape()), callsBefore);
  console.log(`all ${total} models in place ${(readyMs / 1000).toFixed(1)} s after the apply`);

  const obj = await readSet();
  const statusBytes = Buffer.byteLength(JSON.stringify(obj.status));
  const configMap = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedConfigMap({ name: `${NAME}-targets`, namespace: NAMESPACE });
  const configMapBytes = Buffer.byteLength(JSON.stringify(configMap.data ?? {}));
  const configMapKeys = Object.keys(configMap.data ?? {}).length;

  const restMs = restHours * 3600 * 1000 * scale;
  console.log(`at rest for ${(restMs / 1000).toFixed(0)} s (${restHours} h at time scale ${scale})`);
  const restBefore = s3Calls(await scrape());
  const writesBefore = metricSum(await scrape(), 'operator_kubernetes_writes_total', 'kind="MultiModelSet"');
  const cpuRestBefore = cpuSeconds(pid);
  const rssRestMax = await restWindow(pid, restMs);
  const restMetrics = await scrape();
  const rest = minus(s3Calls(restMetrics), restBefore);
  const restWrites =
    metricSum(restMetrics, 'operator_kubernetes_writes_total', 'kind="MultiModelSet"') - writesBefore;
  const perHour = 3600 / PRODUCTION.driftS;
  const pagesPerListing = Math.ceil(total / 1000);

  printTable([
    ['models', String(total), `copy concurrency ${values['copy-concurrency']}, one MultiModelSet`],
    [
      'time to ready',
      `${(readyMs / 1000).toFixed(1)} s`,
      `${((total / readyMs) * 1000).toFixed(0)} models/s`,
    ],
    ['S3 calls to converge', String(sum(converge)), show(converge)],
    ['S3 calls per model', (sum(converge) / total).toFixed(3), show(converge, total)],
    [
      'S3 calls at rest per hour',
      (sum(rest) / restHours).toFixed(1),
      `${show(rest)} in the window; target ${pagesPerListing} page(s) per drift interval = ${pagesPerListing * perHour} per hour`,
    ],
    ['Kubernetes writes at rest', String(restWrites), 'target 0'],
    ['status size', `${(statusBytes / 1024).toFixed(1)} KiB`, 'target ≤ 100 KiB'],
    [
      'ConfigMap size',
      `${(configMapBytes / 1024).toFixed(1)} KiB`,
      `${configMapKeys} keys; ConfigMaps hold ≤ 1 MiB`,
    ],
    [
      'operator RSS',
      `${rssAtReady} MB`,
      `idle ${operator.rssIdle} MB, peak ${rssPeakRun} MB, at rest max ${rssRestMax} MB`,
    ],
    [
      'operator CPU',
      `${cpuRun.toFixed(1)} s`,
      `to converge; ${(cpuSeconds(pid) - cpuRestBefore).toFixed(1)} s at rest`,
    ],
  ]);
} finally {
  await stopAll(rig);
}

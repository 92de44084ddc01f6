/**
 * What the kind benchmarks (training-job-bench.ts, endpoint-bench.ts) share: the rig (control plane,
 * moto's S3, the SageMaker emulator), the operator compiled into a private directory and run as its
 * own process with its production defaults scaled to the emulator's time scale, a watch of one status
 * field, the parallel apply, Prometheus sums, memory and CPU of a process, and the summary table.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CoreV1Api, CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { SERVICE_LABELS } from '../../src/aws/metrics.js';
import { CRD_DIR } from '../../src/crds/generate.js';
import { GROUP, VERSION } from '../../src/crds/index.js';
import { startEmulator, type RunningEmulator, type Timings } from '../emulator/index.js';
import { installCrds, startControlPlane, startS3 } from '../rig/index.js';
import { freePort } from '../rig/ports.js';
import { apiserverWrites } from '../rig/apiserver-http.js';

export const REGION = 'us-east-1';
/** Selects the operator's SageMaker calls among its AWS metrics. */
export const SAGEMAKER_CALLS = `service="${SERVICE_LABELS.sageMaker}"`;
export const NAMESPACE = 'bench';
export const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
/** The operator's production defaults, in SageMaker (real) time. */
export const PRODUCTION = {
  pollMinS: 10,
  pollMaxS: 300,
  driftS: 600,
  sweepS: 10,
  safetyS: 86_400,
  maxApiRate: 10,
};

/**
 * BENCH_SWEEPS=off runs the operator without change detection (`--sweep-interval=0s`: each resource
 * described on its own schedule), to compare with the default.
 */
export const SWEEPS = process.env.BENCH_SWEEPS !== 'off';

/**
 * BENCH_PUSH=on adds the push channel: the emulator publishes SageMaker's state-change events to an
 * SQS queue on moto, which the operator long-polls (`--events-queue-url`, docs/events.md).
 */
export const PUSH = process.env.BENCH_PUSH === 'on';

/** The scaled production flags a benchmark ran the operator with, for its summary table. */
export function operatorFlagsSummary(scale: number, workers: number, push = PUSH): [string, string] {
  const { scaledMs } = timeScale(scale);
  const sweeps = SWEEPS
    ? `sweeps ${scaledMs(PRODUCTION.sweepS)} ms, safety ${scaledMs(PRODUCTION.safetyS)} ms`
    : 'no sweeps';
  return [
    `${sweeps}${push ? ', push (SQS)' : ''}, poll ${scaledMs(PRODUCTION.pollMinS)}..${scaledMs(PRODUCTION.pollMaxS)} ms, drift ${scaledMs(PRODUCTION.driftS)} ms`,
    `max-api-rate ${Math.round(PRODUCTION.maxApiRate / scale)}/s, concurrency ${workers}`,
  ];
}

/** Converts between SageMaker time and real time at `scale` (real seconds per SageMaker second). */
export function timeScale(scale: number): {
  scaledMs: (sageMakerSeconds: number) => number;
  toSageMakerS: (realMs: number) => number;
} {
  return {
    scaledMs: (sageMakerSeconds) => Math.max(1, Math.round(sageMakerSeconds * 1000 * scale)),
    toSageMakerS: (realMs) => realMs / 1000 / scale,
  };
}

export const rssMb = (pid: number, field: 'VmRSS' | 'VmHWM'): number =>
  Math.round(
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) /
      1024,
  );

/** CPU seconds a process used so far (user + system). */
export const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/** Sums the samples of a Prometheus text exposition whose line matches every fragment. */
export function metricSum(text: string, name: string, ...fragments: string[]): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => fragments.every((f) => l.includes(f)))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

export interface OperatorCounts {
  status: number;
  finalizer: number;
  event: number;
  reconciles: number;
  aws: number;
}

/** The operator's Kubernetes writes for one kind, its reconciles and its SageMaker requests. */
export function operatorCounts(text: string, kind: string): OperatorCounts {
  const writes = (write: string): number =>
    metricSum(text, 'operator_kubernetes_writes_total', `kind="${kind}"`, `write="${write}"`);
  return {
    status: writes('status'),
    finalizer: writes('finalizer'),
    event: writes('event'),
    reconciles: metricSum(text, 'controller_runtime_reconcile_total'),
    aws: metricSum(text, 'aws_api_requests_total', SAGEMAKER_CALLS),
  };
}

export const diff = (a: OperatorCounts, b: OperatorCounts): OperatorCounts => ({
  status: a.status - b.status,
  finalizer: a.finalizer - b.finalizer,
  event: a.event - b.event,
  reconciles: a.reconciles - b.reconciles,
  aws: a.aws - b.aws,
});

/**
 * The row that checks the operator's own count of its SageMaker calls against the emulator's call
 * log, which also logs the attempts the SDK retried (counted by the operator as throttled).
 */
export function callCountCrossCheck(
  operatorCalls: number,
  callLog: number,
  figure: (n: number) => string,
): [string, string, string] {
  const note =
    operatorCalls === callLog ? 'the same as the emulator call log' : `emulator call log: ${figure(callLog)}`;
  return ['  operator count (cross-check)', figure(operatorCalls), note];
}

/** Mean of a Prometheus histogram (sum / count), in milliseconds. */
export function meanMs(text: string, name: string, ...fragments: string[]): number {
  const count = metricSum(text, `${name}_count`, ...fragments);
  return count > 0 ? (metricSum(text, `${name}_sum`, ...fragments) / count) * 1000 : 0;
}

export function quantiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const f = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(0));
  return `min ${f(at(0))} · median ${f(at(0.5))} · p95 ${f(at(0.95))} · max ${f(at(1))}`;
}

/** Prints the `results` table: one row per figure, with a note. */
export function printTable(rows: [string, string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  const width2 = Math.max(...rows.map(([, v]) => v.length));
  console.log('\nresults');
  for (const [k, v, note] of rows) console.log(`  ${k.padEnd(width)}  ${v.padEnd(width2)}  ${note}`);
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm run build` into `.local/<name>` (others may be using dist/). Emits even when some other part
 * of the project does not typecheck at this moment. Returns the compiled main.js.
 */
export function compileOperator(name: string): string {
  const buildDir = join(root, '.local', name);
  const compiling = performance.now();
  spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      buildDir,
      '--sourceMap',
      'false',
    ],
    { stdio: 'ignore' },
  );
  const compiledOperator = join(buildDir, 'main.js');
  if (!existsSync(compiledOperator)) throw new Error(`compilation did not produce ${compiledOperator}`);
  console.log(`compiled the operator in ${((performance.now() - compiling) / 1000).toFixed(1)} s`);
  return compiledOperator;
}

export interface Rig {
  kc: KubeConfig;
  kubeconfigPath: string;
  s3Endpoint: string;
  emulator: RunningEmulator;
  /** With BENCH_PUSH=on: the queue the emulator's state-change events go to. */
  eventsQueueUrl?: string;
  /** Stopped in order by `stopAll`; the operator's stop goes first. */
  stops: (() => Promise<void>)[];
}

/**
 * A control plane with every CRD (the operator waits for the caches of all the kinds it runs) and the
 * bench namespace, moto's S3 with `bucket` (and `objects` in it), and the emulator at `scale`; with
 * `push` (default: BENCH_PUSH=on) the emulator's state-change events go to an SQS queue.
 */
export async function startRig(options: {
  scale: number;
  timings: Partial<Timings>;
  bucket: string;
  objects?: string[];
  push?: boolean;
}): Promise<Rig> {
  const cp = await startControlPlane();
  const s3 = await startS3();
  const emulator = await startEmulator({
    s3: { endpoint: s3.endpoint, credentials: CREDENTIALS },
    timeScale: options.scale,
    settings: { timings: options.timings },
  });
  const rig: Rig = {
    kc: cp.kubeConfig(),
    kubeconfigPath: cp.kubeconfigPath,
    s3Endpoint: s3.endpoint,
    emulator,
    stops: [() => cp.stop(), () => s3.stop(), () => emulator.stop()],
  };
  try {
    await installCrds(rig.kc, CRD_DIR);
    await rig.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    const s3Client = new S3Client({
      endpoint: s3.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: CREDENTIALS,
    });
    await s3Client.send(new CreateBucketCommand({ Bucket: options.bucket }));
    for (const key of options.objects ?? [])
      await s3Client.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: 'bench' }));
    s3Client.destroy();
    if (options.push ?? PUSH) {
      const sqs = new SQSClient({ endpoint: s3.endpoint, region: REGION, credentials: CREDENTIALS });
      const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'sagemaker-state-changes' }));
      sqs.destroy();
      rig.eventsQueueUrl = queue.QueueUrl;
      await emulator.control.configure({
        events: { queueUrl: queue.QueueUrl ?? '', sqsEndpoint: s3.endpoint },
      });
    }
  } catch (err) {
    await stopAll(rig);
    throw err;
  }
  return rig;
}

export async function stopAll(rig: Rig): Promise<void> {
  for (const stop of rig.stops)
    await stop().catch((err: unknown) => {
      console.error(err);
    });
}

export interface Operator {
  pid: number;
  /** The operator's /metrics text. */
  scrape: () => Promise<string>;
  rssIdle: number;
  args: string[];
  nodeFlags: string[];
  exitCode: () => number | null;
}

/**
 * Starts the compiled operator (`node main.js`, as in a cluster, so its memory is measured alone)
 * with the production defaults scaled by `scale` (durations × scale, the request rate ÷ scale) and
 * `workers` workers, and waits until it serves metrics and its informers have listed.
 * BENCH_NODE_FLAGS sets its Node flags.
 */
export async function startOperator(
  rig: Rig,
  compiledOperator: string,
  scale: number,
  workers: number,
): Promise<Operator> {
  const { scaledMs } = timeScale(scale);
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const metricsPort = await freePort();
  const args = [
    `--region=${REGION}`,
    '--cluster-name=bench',
    `--sagemaker-endpoint=${rig.emulator.endpoint}`,
    `--s3-endpoint=${rig.s3Endpoint}`,
    `--sts-endpoint=${rig.s3Endpoint}`,
    ...(rig.eventsQueueUrl
      ? [`--events-queue-url=${rig.eventsQueueUrl}`, `--sqs-endpoint=${rig.s3Endpoint}`]
      : []),
    `--namespaces=${NAMESPACE}`,
    `--poll-interval-min=${scaledMs(PRODUCTION.pollMinS)}ms`,
    `--poll-interval-max=${scaledMs(PRODUCTION.pollMaxS)}ms`,
    `--drift-interval=${scaledMs(PRODUCTION.driftS)}ms`,
    SWEEPS ? `--sweep-interval=${scaledMs(PRODUCTION.sweepS)}ms` : '--sweep-interval=0s',
    `--safety-interval=${scaledMs(PRODUCTION.safetyS)}ms`,
    `--monitoring-hour=${scaledMs(3600)}ms`,
    `--max-api-rate=${Math.round(PRODUCTION.maxApiRate / scale)}`,
    `--concurrency=${workers}`,
    `--metrics-addr=127.0.0.1:${metricsPort}`,
    '--health-addr=0',
    '--log-level=warn',
  ];
  const operator = spawn(process.execPath, [...nodeFlags, compiledOperator, ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      KUBECONFIG: rig.kubeconfigPath,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
  });
  const exited = new Promise<void>((resolve) =>
    operator.once('exit', () => {
      resolve();
    }),
  );
  rig.stops.unshift(async () => {
    if (operator.exitCode === null) operator.kill('SIGTERM');
    await exited;
  });
  const pid = operator.pid ?? 0;
  const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  for (let i = 0; ; i++) {
    if (operator.exitCode !== null) throw new Error('the operator exited at start');
    if (
      await scrape().then(
        () => true,
        () => false,
      )
    )
      break;
    if (i > 300) throw new Error('the operator did not serve metrics within 30 s');
    await sleep(100);
  }
  await sleep(1000); // informer list and watch
  const rssIdle = rssMb(pid, 'VmRSS');
  console.log(
    `operator pid ${pid}, idle RSS ${rssIdle} MB: node ${[...nodeFlags, 'main.js', ...args].join(' ')}`,
  );
  return { pid, scrape, rssIdle, args, nodeFlags, exitCode: () => operator.exitCode };
}

/**
 * Watches every object of `plural` in the bench namespace and keeps the status `field` of each (as
 * kubectl shows it), counting those that reached `done`. A watch started before the apply, not
 * repeated lists: listing hundreds of objects a few times a second would load the apiserver more
 * than the operator does.
 */
export async function trackStatuses(
  kc: KubeConfig,
  plural: string,
  field: string,
  done: string,
  total: number,
): Promise<{
  statuses: Map<string, string>;
  /** Epoch milliseconds when each object was first seen at `done`. */
  doneTimes: Map<string, number>;
  /** Per object, epoch milliseconds when each value of the field was first seen. */
  firstSeen: Map<string, Map<string, number>>;
  doneCount: () => number;
  doneAt: () => number;
  stop: () => void;
}> {
  const statuses = new Map<string, string>();
  const doneTimes = new Map<string, number>();
  const firstSeen = new Map<string, Map<string, number>>();
  let count = 0;
  let doneAt = 0;
  const path = `/apis/${GROUP}/${VERSION}/namespaces/${NAMESPACE}/${plural}`;
  let watching = new AbortController();
  const watch = async (): Promise<void> => {
    watching = await new Watch(kc).watch(
      path,
      {},
      (type, obj: { metadata: { name: string }; status?: Record<string, unknown> }) => {
        if (type === 'DELETED') return;
        const before = statuses.get(obj.metadata.name);
        const value = obj.status?.[field];
        const now = typeof value === 'string' ? value : '(none)';
        statuses.set(obj.metadata.name, now);
        const seen = firstSeen.get(obj.metadata.name) ?? new Map<string, number>();
        if (!seen.has(now)) seen.set(now, Date.now());
        firstSeen.set(obj.metadata.name, seen);
        if (now === done && !doneTimes.has(obj.metadata.name)) doneTimes.set(obj.metadata.name, Date.now());
        if (now === done && before !== done && ++count === total) doneAt = performance.now();
      },
      (err: unknown) => {
        if (count < total) {
          if (err) console.error('watch ended:', err);
          void watch();
        }
      },
    );
  };
  await watch();
  return {
    statuses,
    doneTimes,
    firstSeen,
    doneCount: () => count,
    doneAt: () => doneAt,
    stop: () => {
      watching.abort();
    },
  };
}

/** Creates `total` objects of one kind, 32 requests at a time; returns the milliseconds it took. */
export async function createAll(
  kc: KubeConfig,
  plural: string,
  kind: string,
  total: number,
  object: (i: number) => { name: string; spec: Record<string, unknown> },
): Promise<number> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < total) {
        const { name, spec } = object(next++);
        await api.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural,
          namespace: NAMESPACE,
          body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name }, spec },
        });
      }
    }),
  );
  return performance.now() - started;
}

/** Counts the objects per status value, e.g. {"Creating":3,"InService":197}. */
export function byStatus(statuses: Map<string, string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of statuses.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}

/**
 * Waits `restMs` while sampling the operator's resident memory once a second; returns the maximum.
 */
export async function restWindow(pid: number, restMs: number): Promise<number> {
  let rssMax = 0;
  for (const end = performance.now() + restMs; performance.now() < end;) {
    await sleep(Math.min(1000, end - performance.now()));
    rssMax = Math.max(rssMax, rssMb(pid, 'VmRSS'));
  }
  return rssMax;
}

/** Write requests for `resource` the apiserver counted between two scrapes of its metrics. */
export const apiserverWritesBetween = (before: string, after: string, resource: string): number =>
  apiserverWrites(after, resource) - apiserverWrites(before, resource);

/**
 * The operator's memory and CPU rows of the summary table; `done` is the state every object reached
 * at the end of the run ("Completed"), `atEnd` how the memory row names that moment.
 */
export function resourceRows(
  done: string,
  atEnd: string,
  figures: {
    rssIdle: number;
    rssAtEnd: number;
    rssPeakRun: number;
    rssPeak: number;
    rssAtRest: number;
    rssRestMax: number;
    cpuRun: number;
    cpuRest: number;
    benchCpuRun: number;
  },
): [string, string, string][] {
  const f = figures;
  return [
    [
      'operator RSS',
      `peak ${f.rssPeak} MB`,
      `idle before apply ${f.rssIdle} MB, ${atEnd} ${f.rssAtEnd} MB (peak until then ${f.rssPeakRun} MB)`,
    ],
    ['  at rest', `${f.rssAtRest} MB`, `max during the rest window ${f.rssRestMax} MB`],
    [
      'operator CPU',
      `${f.cpuRun.toFixed(1)} s until all ${done}`,
      `${f.cpuRest.toFixed(1)} s at rest · bench process (emulator, apply, watching) ${f.benchCpuRun.toFixed(1)} s · load average ${loadavg()[0]?.toFixed(1) ?? '?'}`,
    ],
  ];
}

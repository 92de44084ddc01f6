/**
 * TrainingJobs at scale (issue 5): `npx tsx test/bench/training-job-bench.ts [--jobs 1000]
 * [--time-scale 0.05] [--rest-hours 1] [--concurrency 64]`.
 *
 * On a private control plane, moto's S3 and the SageMaker emulator (in this process), starts the
 * operator as its own compiled process (`node main.js`, as in a cluster, so its memory is measured
 * alone), applies N TrainingJobs at once and measures: the time until all are Completed, SageMaker
 * calls per job by operation (the emulator's call log), describes per finished job per hour at
 * rest, Kubernetes writes per job (the operator's metrics, cross-checked with the apiserver's), and
 * the operator's resident memory.
 *
 * SageMaker time runs 1/time-scale times faster: realistic phases (Starting 120 s, Downloading 60 s,
 * Training 600 s, Uploading 30 s) and the operator's production defaults (poll 10 s..300 s, drift
 * 10 min, 10 SageMaker requests/s) are scaled by the same factor (durations × time-scale, the
 * request rate ÷ time-scale), so every count is what it would be in real time, as long as the
 * operator keeps up: API latencies do not scale, hence more workers than the production default of 4.
 * When it falls behind (queue wait in the summary close to the poll interval), jobs are described
 * less often than in real time and the counts are a lower bound; the at-rest figures do not depend
 * on it. Finished jobs are re-checked hourly, so the rest
 * window is a whole number of hours (one hour of SageMaker time is 3,600 × time-scale real seconds).
 * BENCH_NODE_FLAGS sets the operator's Node flags (default: none).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { CRD_DIR } from '../../src/crds/generate.js';
import { GROUP, VERSION } from '../../src/crds/index.js';
import { startEmulator } from '../emulator/index.js';
import type { CallRecord } from '../emulator/index.js';
import { installCrds, startControlPlane, startS3 } from '../rig/index.js';
import { freePort } from '../rig/ports.js';
import { apiserverMetrics, apiserverWrites } from '../rig/apiserver-http.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    'time-scale': { type: 'string', default: '0.05' },
    'rest-hours': { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '64' },
  },
});
const total = Number(values.jobs);
const scale = Number(values['time-scale']);
const restHours = Number(values['rest-hours']);
const workers = Number(values.concurrency);

const REGION = 'us-east-1';
const NAMESPACE = 'bench';
const BUCKET = 'bench-training';
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const PLURAL = 'trainingjobs';
/** SageMaker seconds per phase; the emulator multiplies them by the time scale. */
const PHASES = {
  trainingStarting: 120,
  trainingDownloading: 60,
  trainingTraining: 600,
  trainingUploading: 30,
};
const PHASE_ENDS = Object.values(PHASES).map((_, i, all) => all.slice(0, i + 1).reduce((a, b) => a + b, 0));
const LIFETIME_S = PHASE_ENDS.at(-1) ?? 0;
/** Starting, Downloading, Training, Uploading, Completed: what a user sees change. */
const STATE_CHANGES = 5;
/** The operator's production defaults, in SageMaker (real) time. */
const PRODUCTION = { pollMinS: 10, pollMaxS: 300, driftS: 600, maxApiRate: 10 };

const scaledMs = (sageMakerSeconds: number): number =>
  Math.max(1, Math.round(sageMakerSeconds * 1000 * scale));
const toSageMakerS = (realMs: number): number => realMs / 1000 / scale;
const rssMb = (pid: number, field: 'VmRSS' | 'VmHWM'): number =>
  Math.round(
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) /
      1024,
  );

/** CPU seconds a process used so far (user + system). */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/** Sums the samples of a Prometheus text exposition whose line matches every fragment. */
function metricSum(text: string, name: string, ...fragments: string[]): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => fragments.every((f) => l.includes(f)))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

interface OperatorCounts {
  status: number;
  finalizer: number;
  event: number;
  reconciles: number;
  aws: number;
}

function operatorCounts(text: string): OperatorCounts {
  const writes = (write: string): number =>
    metricSum(text, 'operator_kubernetes_writes_total', 'kind="TrainingJob"', `write="${write}"`);
  return {
    status: writes('status'),
    finalizer: writes('finalizer'),
    event: writes('event'),
    reconciles: metricSum(text, 'controller_runtime_reconcile_total'),
    aws: metricSum(text, 'aws_api_requests_total', 'service="SageMaker"'),
  };
}

/** Mean of a Prometheus histogram (sum / count), in milliseconds. */
function meanMs(text: string, name: string, ...fragments: string[]): number {
  const count = metricSum(text, `${name}_count`, ...fragments);
  return count > 0 ? (metricSum(text, `${name}_sum`, ...fragments) / count) * 1000 : 0;
}

const diff = (a: OperatorCounts, b: OperatorCounts): OperatorCounts => ({
  status: a.status - b.status,
  finalizer: a.finalizer - b.finalizer,
  event: a.event - b.event,
  reconciles: a.reconciles - b.reconciles,
  aws: a.aws - b.aws,
});

function quantiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const f = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(0));
  return `min ${f(at(0))} · median ${f(at(0.5))} · p95 ${f(at(0.95))} · max ${f(at(1))}`;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const buildDir = join(root, '.local', 'training-job-bench-build');
// `npm run build` into a private directory (others may be using dist/). Emits even when some other
// part of the project does not typecheck at this moment.
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
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

const cp = await startControlPlane();
const s3 = await startS3();
const emulator = await startEmulator({
  s3: { endpoint: s3.endpoint, credentials: CREDENTIALS },
  timeScale: scale,
  settings: { timings: PHASES },
});
const stops: (() => Promise<void>)[] = [() => cp.stop(), () => s3.stop(), () => emulator.stop()];
try {
  const kc = cp.kubeConfig();
  // Every CRD: the operator waits for the caches of all the kinds it runs before it reconciles.
  await installCrds(kc, CRD_DIR);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
  const s3Client = new S3Client({
    endpoint: s3.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  await s3Client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3Client.destroy();

  const metricsPort = await freePort();
  const operatorArgs = [
    `--region=${REGION}`,
    '--cluster-name=bench',
    `--sagemaker-endpoint=${emulator.endpoint}`,
    `--s3-endpoint=${s3.endpoint}`,
    `--namespaces=${NAMESPACE}`,
    `--poll-interval-min=${scaledMs(PRODUCTION.pollMinS)}ms`,
    `--poll-interval-max=${scaledMs(PRODUCTION.pollMaxS)}ms`,
    `--drift-interval=${scaledMs(PRODUCTION.driftS)}ms`,
    `--max-api-rate=${Math.round(PRODUCTION.maxApiRate / scale)}`,
    `--concurrency=${workers}`,
    `--metrics-addr=127.0.0.1:${metricsPort}`,
    '--health-addr=0',
    '--log-level=warn',
  ];
  const operator = spawn(process.execPath, [...nodeFlags, compiledOperator, ...operatorArgs], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      KUBECONFIG: cp.kubeconfigPath,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
  });
  const exited = new Promise<void>((resolve) =>
    operator.once('exit', () => {
      resolve();
    }),
  );
  stops.unshift(async () => {
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
    `operator pid ${pid}, idle RSS ${rssIdle} MB: node ${[...nodeFlags, 'main.js', ...operatorArgs].join(' ')}`,
  );

  const spec = (i: number): Record<string, unknown> => ({
    roleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
    algorithmSpecification: {
      trainingImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
      trainingInputMode: 'File',
    },
    hyperParameters: { objective: 'reg:squarederror', num_round: String(50 + (i % 50)) },
    inputDataConfig: [
      {
        channelName: 'train',
        dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: `s3://${BUCKET}/data/train/` } },
        contentType: 'text/csv',
      },
    ],
    outputDataConfig: { s3OutputPath: `s3://${BUCKET}/output` },
    resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 10 },
    stoppingCondition: { maxRuntimeInSeconds: 86_400 },
  });

  const api = kc.makeApiClient(CustomObjectsApi);
  const apiserverBefore = await apiserverMetrics(kc);
  const countsBefore = operatorCounts(await scrape());
  const statuses = new Map<string, string>();
  let completed = 0;
  let completedAt = 0;
  const path = `/apis/${GROUP}/${VERSION}/namespaces/${NAMESPACE}/${PLURAL}`;
  let watching = new AbortController();
  const watch = async (): Promise<void> => {
    watching = await new Watch(kc).watch(
      path,
      {},
      (type, obj: { metadata: { name: string }; status?: { trainingJobStatus?: string } }) => {
        if (type === 'DELETED') return;
        const before = statuses.get(obj.metadata.name);
        const now = obj.status?.trainingJobStatus ?? '(none)';
        statuses.set(obj.metadata.name, now);
        if (now === 'Completed' && before !== 'Completed' && ++completed === total)
          completedAt = performance.now();
      },
      (err: unknown) => {
        if (completed < total) {
          if (err) console.error('watch ended:', err);
          void watch();
        }
      },
    );
  };
  await watch();
  const cpuBefore = cpuSeconds(pid);
  const benchCpuBefore = process.cpuUsage();
  const applied = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < total) {
        const i = next++;
        await api.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace: NAMESPACE,
          body: {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: 'TrainingJob',
            metadata: { name: `job-${String(i).padStart(5, '0')}` },
            spec: spec(i),
          },
        });
      }
    }),
  );
  const createdMs = performance.now() - applied;
  console.log(`applied ${total} TrainingJobs in ${(createdMs / 1000).toFixed(1)} s`);

  // Until every TrainingJob reports Completed (status.trainingJobStatus, as kubectl shows it). A watch
  // started before the apply, not repeated lists: listing 1,000 objects a few times a second would
  // load the apiserver more than the operator does.
  let completedMs = 0;
  let lastReport = 0;
  for (;;) {
    const byStatus = new Map<string, number>();
    for (const s of statuses.values()) byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
    const elapsed = performance.now() - applied;
    if ((byStatus.get('Completed') ?? 0) === total) {
      completedMs = completedAt - applied;
      break;
    }
    if (elapsed - lastReport > 10_000) {
      lastReport = elapsed;
      console.log(`  ${(elapsed / 1000).toFixed(0)} s: ${JSON.stringify(Object.fromEntries(byStatus))}`);
    }
    if ((byStatus.get('Failed') ?? 0) + (byStatus.get('Stopped') ?? 0) > 0)
      throw new Error(`jobs did not complete: ${JSON.stringify(Object.fromEntries(byStatus))}`);
    if (elapsed > 15 * 60_000) throw new Error('not all jobs completed within 15 minutes');
    await sleep(100);
  }
  watching.abort();
  console.log(`all ${total} Completed ${(completedMs / 1000).toFixed(1)} s after the apply began`);
  const rssPeakRun = rssMb(pid, 'VmHWM');
  const cpuRun = cpuSeconds(pid) - cpuBefore;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const benchCpuRun = (benchCpu.user + benchCpu.system) / 1e6;
  const rssAtCompletion = rssMb(pid, 'VmRSS');

  // Let the last status writes and events land, then take the run's figures.
  await sleep(Math.min(2000, scaledMs(PRODUCTION.pollMinS) * 10));
  const runMetrics = await scrape();
  const runCounts = diff(operatorCounts(runMetrics), countsBefore);
  const apiserverAfterRun = await apiserverMetrics(kc);
  const sageMakerCounts = await emulator.control.counts();
  const log: CallRecord[] = (await emulator.control.calls({})).calls;
  const perJob = new Map<
    string,
    { describes: number; notFound: number; created?: number; lastDescribe: number }
  >();
  for (const call of log) {
    if (
      !call.resource ||
      (call.operation !== 'DescribeTrainingJob' && call.operation !== 'CreateTrainingJob')
    )
      continue;
    const job = perJob.get(call.resource) ?? { describes: 0, notFound: 0, lastDescribe: 0 };
    if (call.operation === 'CreateTrainingJob' && call.outcome === 'ok') job.created = call.time;
    if (call.operation === 'DescribeTrainingJob') {
      job.describes++;
      if (call.outcome !== 'ok') job.notFound++;
      else job.lastDescribe = call.time;
    }
    perJob.set(call.resource, job);
  }
  const jobs = [...perJob.values()];
  const sample = log.filter((c) => c.resource?.toLowerCase().endsWith('job-00000'));
  const sampleCreated = sample.find((c) => c.operation === 'CreateTrainingJob')?.time ?? 0;
  console.log(
    `calls about one job, in SageMaker seconds after its create (phases end at ${PHASE_ENDS.join(', ')}):\n  ` +
      sample
        .map(
          (c) =>
            `${c.operation.replace('TrainingJob', '')} ${toSageMakerS(c.time - sampleCreated).toFixed(0)}`,
        )
        .join(' · '),
  );
  // A job completes LIFETIME_S SageMaker seconds after its create; the describe that saw it came later.
  const noticeLagS = jobs.map((j) => toSageMakerS(j.lastDescribe - (j.created ?? 0)) - LIFETIME_S);
  const describesWhileRunning = jobs.map((j) => j.describes - j.notFound);

  // At rest: every job Completed; count what the operator does in `restHours` of SageMaker time.
  await emulator.control.clearCalls();
  const restBefore = operatorCounts(await scrape());
  const apiserverRestBefore = await apiserverMetrics(kc);
  const restMs = restHours * 3600 * 1000 * scale;
  console.log(`at rest for ${(restMs / 1000).toFixed(0)} s (${restHours} h of SageMaker time)`);
  let rssRestMax = 0;
  for (const end = performance.now() + restMs; performance.now() < end;) {
    await sleep(Math.min(1000, end - performance.now()));
    rssRestMax = Math.max(rssRestMax, rssMb(pid, 'VmRSS'));
  }
  const restCounts = diff(operatorCounts(await scrape()), restBefore);
  const cpuRest = cpuSeconds(pid) - cpuBefore - cpuRun;
  const apiserverRestAfter = await apiserverMetrics(kc);
  const restSageMaker = await emulator.control.counts();
  const rssAtRest = rssMb(pid, 'VmRSS');
  const rssPeak = rssMb(pid, 'VmHWM');

  const perJobFigure = (n: number): string => (n / total).toFixed(2);
  const restDescribes = restSageMaker.DescribeTrainingJob ?? 0;
  const sageMakerTotal = Object.values(sageMakerCounts).reduce((a, b) => a + b, 0);
  const target = 1 + STATE_CHANGES + 2;
  const apiserverJobWrites =
    apiserverWrites(apiserverAfterRun, PLURAL) - apiserverWrites(apiserverBefore, PLURAL) - total;
  const apiserverEventWrites =
    apiserverWrites(apiserverAfterRun, 'events') - apiserverWrites(apiserverBefore, 'events');
  const apiserverRestWrites =
    apiserverWrites(apiserverRestAfter, PLURAL) -
    apiserverWrites(apiserverRestBefore, PLURAL) +
    apiserverWrites(apiserverRestAfter, 'events') -
    apiserverWrites(apiserverRestBefore, 'events');

  const rows: [string, string, string][] = [
    ['jobs applied at once', String(total), ''],
    [
      'time scale',
      `${scale} (1 real s = ${(1 / scale).toFixed(0)} SageMaker s)`,
      `phases ${Object.values(PHASES).join('+')} = ${LIFETIME_S} s`,
    ],
    [
      'operator flags (scaled production defaults)',
      `poll ${scaledMs(PRODUCTION.pollMinS)}..${scaledMs(PRODUCTION.pollMaxS)} ms, drift ${scaledMs(PRODUCTION.driftS)} ms`,
      `max-api-rate ${Math.round(PRODUCTION.maxApiRate / scale)}/s, concurrency ${workers}`,
    ],
    [
      'apply → all Completed',
      `${(completedMs / 1000).toFixed(1)} s real = ${toSageMakerS(completedMs).toFixed(0)} SageMaker s`,
      `creates took ${(createdMs / 1000).toFixed(1)} s; one job lives ${LIFETIME_S} s`,
    ],
    [
      'completion noticed after (SageMaker s)',
      quantiles(noticeLagS),
      'per job, describe time − completion time',
    ],
    [
      'SageMaker calls per job',
      perJobFigure(sageMakerTotal),
      `target ≤ ${target} (1 create + ${STATE_CHANGES} state changes + 2)`,
    ],
    ...Object.entries(sageMakerCounts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, n]): [string, string, string] => [`  ${op}`, perJobFigure(n), '']),
    ['  describes per job (found)', quantiles(describesWhileRunning), 'not counting the not-found one'],
    [
      'describes per finished job per hour at rest',
      (restDescribes / total / restHours).toFixed(2),
      `target ≤ 1 (ACK: 12); ${restDescribes} in ${restHours} h`,
    ],
    [
      '  other SageMaker calls at rest',
      String(Object.values(restSageMaker).reduce((a, b) => a + b, 0) - restDescribes),
      '',
    ],
    [
      'Kubernetes writes per job',
      perJobFigure(runCounts.status + runCounts.finalizer + runCounts.event),
      `status ${perJobFigure(runCounts.status)} · finalizer ${perJobFigure(runCounts.finalizer)} · events ${perJobFigure(runCounts.event)}`,
    ],
    [
      '  apiserver count (cross-check)',
      perJobFigure(apiserverJobWrites + apiserverEventWrites),
      `trainingjobs ${perJobFigure(apiserverJobWrites)} (besides the create) · events ${perJobFigure(apiserverEventWrites)}`,
    ],
    ['  reconciles per job', perJobFigure(runCounts.reconciles), ''],
    [
      'mean latency while running (ms)',
      `reconcile ${meanMs(runMetrics, 'controller_runtime_reconcile_time_seconds').toFixed(0)}`,
      `SageMaker call ${meanMs(runMetrics, 'aws_api_request_duration_seconds').toFixed(0)} · queue wait ${meanMs(runMetrics, 'workqueue_queue_duration_seconds').toFixed(0)}`,
    ],
    [
      'Kubernetes writes at rest',
      String(restCounts.status + restCounts.finalizer + restCounts.event),
      `target 0 · status ${restCounts.status}, events ${restCounts.event}; apiserver saw ${apiserverRestWrites}; reconciles ${restCounts.reconciles}`,
    ],
    [
      'operator RSS',
      `peak ${rssPeak} MB`,
      `idle before apply ${rssIdle} MB, at completion ${rssAtCompletion} MB (peak until then ${rssPeakRun} MB)`,
    ],
    ['  at rest', `${rssAtRest} MB`, `max during the rest window ${rssRestMax} MB`],
    [
      'operator CPU',
      `${cpuRun.toFixed(1)} s until all Completed`,
      `${cpuRest.toFixed(1)} s at rest · bench process (emulator, apply, watching) ${benchCpuRun.toFixed(1)} s · load average ${loadavg()[0]?.toFixed(1) ?? '?'}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const width2 = Math.max(...rows.map(([, v]) => v.length));
  console.log('\nresults');
  for (const [k, v, note] of rows) console.log(`  ${k.padEnd(width)}  ${v.padEnd(width2)}  ${note}`);
  console.log(
    `\ncommand: npx tsx test/bench/training-job-bench.ts --jobs ${total} --time-scale ${scale} --rest-hours ${restHours} --concurrency ${workers}` +
      (nodeFlags.length > 0 ? ` (BENCH_NODE_FLAGS="${nodeFlags.join(' ')}")` : ''),
  );
} finally {
  for (const stop of stops)
    await stop().catch((err: unknown) => {
      console.error(err);
    });
}

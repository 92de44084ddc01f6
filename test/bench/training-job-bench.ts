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
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { CallRecord } from '../emulator/index.js';
import { apiserverMetrics } from '../rig/apiserver-http.js';
import {
  apiserverWritesBetween,
  byStatus as countByStatus,
  compileOperator,
  cpuSeconds,
  createAll,
  diff,
  meanMs,
  operatorCounts,
  PRODUCTION,
  printTable,
  resourceRows,
  quantiles,
  restWindow,
  rssMb,
  startOperator,
  startRig,
  stopAll,
  SWEEPS,
  timeScale,
  trackStatuses,
} from './support.js';

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

const BUCKET = 'bench-training';
const PLURAL = 'trainingjobs';
/** SageMaker seconds per phase; the emulator multiplies them by the time scale. */
const PHASES = {
  trainingStarting: 120,
  trainingDownloading: 60,
  trainingTraining: 600,
  trainingUploading: 30,
};
const PHASE_ENDS = Object.values(PHASES).map((_, i, all) => all.slice(0, i + 1).reduce((a, b) => a + b, 0));
/** The secondary status each phase ends in, at PHASE_ENDS. */
const NEXT_STATUSES = ['Downloading', 'Training', 'Uploading', 'Completed'];
const LIFETIME_S = PHASE_ENDS.at(-1) ?? 0;
/** Starting, Downloading, Training, Uploading, Completed: what a user sees change. */
const STATE_CHANGES = 5;
const { scaledMs, toSageMakerS } = timeScale(scale);

const compiledOperator = compileOperator('training-job-bench-build');
const rig = await startRig({ scale, timings: PHASES, bucket: BUCKET });
try {
  const { kc, emulator } = rig;
  const operator = await startOperator(rig, compiledOperator, scale, workers);
  const { pid, scrape, rssIdle, nodeFlags } = operator;

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

  const apiserverBefore = await apiserverMetrics(kc);
  const countsBefore = operatorCounts(await scrape(), 'TrainingJob');
  const tracked = await trackStatuses(kc, PLURAL, 'secondaryStatus', 'Completed', total);
  const statuses = tracked.statuses;
  const cpuBefore = cpuSeconds(pid);
  const benchCpuBefore = process.cpuUsage();
  const applied = performance.now();
  const createdMs = await createAll(kc, PLURAL, 'TrainingJob', total, (i) => ({
    name: `job-${String(i).padStart(5, '0')}`,
    spec: spec(i),
  }));
  console.log(`applied ${total} TrainingJobs in ${(createdMs / 1000).toFixed(1)} s`);

  // Until every TrainingJob reports Completed (status.secondaryStatus, as kubectl shows it). A watch
  // started before the apply, not repeated lists: listing 1,000 objects a few times a second would
  // load the apiserver more than the operator does.
  let completedMs = 0;
  let lastReport = 0;
  for (;;) {
    const byStatus = countByStatus(statuses);
    const elapsed = performance.now() - applied;
    if ((byStatus.get('Completed') ?? 0) === total) {
      completedMs = tracked.doneAt() - applied;
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
  tracked.stop();
  console.log(`all ${total} Completed ${(completedMs / 1000).toFixed(1)} s after the apply began`);
  const rssPeakRun = rssMb(pid, 'VmHWM');
  const cpuRun = cpuSeconds(pid) - cpuBefore;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const benchCpuRun = (benchCpu.user + benchCpu.system) / 1e6;
  const rssAtCompletion = rssMb(pid, 'VmRSS');

  // Let the last status writes and events land, then take the run's figures.
  await sleep(Math.min(2000, scaledMs(PRODUCTION.pollMinS) * 10));
  const runMetrics = await scrape();
  const runCounts = diff(operatorCounts(runMetrics, 'TrainingJob'), countsBefore);
  const apiserverAfterRun = await apiserverMetrics(kc);
  const sageMakerCounts = await emulator.control.counts();
  const log: CallRecord[] = (await emulator.control.calls({})).calls;
  const perJob = new Map<string, { describes: number; notFound: number; created?: number }>();
  for (const call of log) {
    if (
      !call.resource ||
      (call.operation !== 'DescribeTrainingJob' && call.operation !== 'CreateTrainingJob')
    )
      continue;
    const job = perJob.get(call.resource) ?? { describes: 0, notFound: 0 };
    if (call.operation === 'CreateTrainingJob' && call.outcome === 'ok') job.created = call.time;
    if (call.operation === 'DescribeTrainingJob') {
      job.describes++;
      if (call.outcome !== 'ok') job.notFound++;
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
  // SageMaker moves a job to each next secondary status PHASE_ENDS after its create; the watch saw it later.
  const createdAt = (name: string): number | undefined =>
    [...perJob].find(([k]) => k.endsWith(`-${name}`))?.[1].created;
  const lagsS = (statuses: string[]): number[] =>
    [...tracked.firstSeen].flatMap(([name, seen]) => {
      const created = createdAt(name);
      if (created === undefined) return [];
      return statuses.flatMap((status) => {
        const at = seen.get(status);
        const phaseEnd = PHASE_ENDS[NEXT_STATUSES.indexOf(status)] ?? 0;
        return at === undefined ? [] : [toSageMakerS(at - created) - phaseEnd];
      });
    });
  const changeLagS = lagsS(NEXT_STATUSES);
  const completionLagS = lagsS(['Completed']);
  const describesWhileRunning = jobs.map((j) => j.describes - j.notFound);

  // At rest: every job Completed; count what the operator does in `restHours` of SageMaker time.
  await emulator.control.clearCalls();
  const restBefore = operatorCounts(await scrape(), 'TrainingJob');
  const apiserverRestBefore = await apiserverMetrics(kc);
  const restMs = restHours * 3600 * 1000 * scale;
  console.log(`at rest for ${(restMs / 1000).toFixed(0)} s (${restHours} h of SageMaker time)`);
  const rssRestMax = await restWindow(pid, restMs);
  const restCounts = diff(operatorCounts(await scrape(), 'TrainingJob'), restBefore);
  const cpuRest = cpuSeconds(pid) - cpuBefore - cpuRun;
  const apiserverRestAfter = await apiserverMetrics(kc);
  const restSageMaker = await emulator.control.counts();
  const rssAtRest = rssMb(pid, 'VmRSS');
  const rssPeak = rssMb(pid, 'VmHWM');

  const perJobFigure = (n: number): string => (n / total).toFixed(2);
  const restDescribes = restSageMaker.DescribeTrainingJob ?? 0;
  const sageMakerTotal = Object.values(sageMakerCounts).reduce((a, b) => a + b, 0);
  const target = 1 + STATE_CHANGES + 2;
  const apiserverJobWrites = apiserverWritesBetween(apiserverBefore, apiserverAfterRun, PLURAL) - total;
  const apiserverEventWrites = apiserverWritesBetween(apiserverBefore, apiserverAfterRun, 'events');
  const apiserverRestWrites =
    apiserverWritesBetween(apiserverRestBefore, apiserverRestAfter, PLURAL) +
    apiserverWritesBetween(apiserverRestBefore, apiserverRestAfter, 'events');

  printTable([
    ['jobs applied at once', String(total), ''],
    [
      'time scale',
      `${scale} (1 real s = ${(1 / scale).toFixed(0)} SageMaker s)`,
      `phases ${Object.values(PHASES).join('+')} = ${LIFETIME_S} s`,
    ],
    [
      'operator flags (scaled production defaults)',
      `${SWEEPS ? `sweeps ${scaledMs(PRODUCTION.sweepS)} ms, safety ${scaledMs(PRODUCTION.safetyS)} ms` : 'no sweeps'}, poll ${scaledMs(PRODUCTION.pollMinS)}..${scaledMs(PRODUCTION.pollMaxS)} ms, drift ${scaledMs(PRODUCTION.driftS)} ms`,
      `max-api-rate ${Math.round(PRODUCTION.maxApiRate / scale)}/s, concurrency ${workers}`,
    ],
    [
      'apply → all Completed',
      `${(completedMs / 1000).toFixed(1)} s real = ${toSageMakerS(completedMs).toFixed(0)} SageMaker s`,
      `creates took ${(createdMs / 1000).toFixed(1)} s; one job lives ${LIFETIME_S} s`,
    ],
    [
      'state change → status (SageMaker s)',
      quantiles(changeLagS),
      `every secondary status change of every job (${changeLagS.length}), as a watch saw it; target p95 ≤ 15`,
    ],
    ['  Completed → status (SageMaker s)', quantiles(completionLagS), 'the completions alone'],
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
      JSON.stringify(restSageMaker),
    ],
    [
      'SageMaker calls per resource per hour at rest',
      (Object.values(restSageMaker).reduce((a, b) => a + b, 0) / total / restHours).toFixed(3),
      SWEEPS
        ? `target ≤ 0.1 (ACK: 12); safety describes average ${(3600 / PRODUCTION.safetyS).toFixed(3)}/h, none due within a shorter window`
        : 'target ≤ 0.1 (ACK: 12)',
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
    ...resourceRows('Completed', 'at completion', {
      rssIdle,
      rssAtEnd: rssAtCompletion,
      rssPeakRun,
      rssPeak,
      rssAtRest,
      rssRestMax,
      cpuRun,
      cpuRest,
      benchCpuRun,
    }),
  ]);
  console.log(
    `\ncommand: npx tsx test/bench/training-job-bench.ts --jobs ${total} --time-scale ${scale} --rest-hours ${restHours} --concurrency ${workers}` +
      (nodeFlags.length > 0 ? ` (BENCH_NODE_FLAGS="${nodeFlags.join(' ')}")` : ''),
  );
} finally {
  await stopAll(rig);
}

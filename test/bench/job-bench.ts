/**
 * The bench of a job kind (TrainingJob, TransformJob, ...), run by its script (training-job-bench.ts,
 * transform-job-bench.ts): on a private control plane, moto's S3 and the SageMaker emulator (in
 * this process), it starts the operator as its own compiled process (`node main.js`, as in a
 * cluster, so its memory is measured alone) and applies N jobs at once.
 *
 * SageMaker time runs 1/time-scale times faster: realistic phases and the operator's production
 * defaults (poll 10 s..300 s, drift 10 min, 10 SageMaker requests/s) are scaled by the same factor
 * (durations × time-scale, the request rate ÷ time-scale), so every count is what it would be in
 * real time, as long as the operator keeps up: API latencies do not scale, hence more workers than
 * the production default of 4. When it falls behind (queue wait in the summary close to the poll
 * interval), jobs are described less often than in real time and the counts are a lower bound; the
 * at-rest figures do not depend on it. Finished jobs are re-checked hourly, so the rest window is a
 * whole number of hours (one hour of SageMaker time is 3,600 × time-scale real seconds).
 * BENCH_NODE_FLAGS sets the operator's Node flags (default: none).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { CallRecord, Timings } from '../emulator/index.js';
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
  callCountCrossCheck,
  SAGEMAKER_CALLS,
  PRODUCTION,
  printTable,
  resourceRows,
  quantiles,
  restWindow,
  type Rig,
  rssMb,
  startOperator,
  startRig,
  stopAll,
  SWEEPS,
  operatorFlagsSummary,
  timeScale,
  trackStatuses,
} from './support.js';

/** One job kind under the bench: what to apply and how its jobs and calls read. */
export interface JobBench {
  /** The Kubernetes kind, e.g. TrainingJob; SageMaker's operations are named after it. */
  kind: string;
  plural: string;
  /** The status field whose changes a user watches, e.g. secondaryStatus; Completed ends it. */
  stateField: string;
  bucket: string;
  /** SageMaker seconds per phase of a job's life, in order; the emulator scales them. */
  phases: Partial<Timings>;
  /** The value of stateField each phase ends in (the last: Completed). */
  nextStatuses: string[];
  /** What a user sees change in a job's life (states and secondary states), for the call target. */
  stateChanges: number;
  /** The spec of the i-th job. */
  spec: (i: number) => Record<string, unknown>;
  /** What must exist in SageMaker before the jobs are applied (a model to run). */
  prepare?: (rig: Rig) => Promise<void>;
  /** The build folder of the compiled operator. */
  buildDir: string;
  /** The bench's script, for the command line it prints. */
  script: string;
}

/** The command-line options every job bench takes. */
export function jobBenchOptions(defaultJobs: number) {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: String(defaultJobs) },
      'time-scale': { type: 'string', default: '0.05' },
      'rest-hours': { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '64' },
    },
  });
  return {
    total: Number(values.jobs),
    scale: Number(values['time-scale']),
    restHours: Number(values['rest-hours']),
    workers: Number(values.concurrency),
  };
}

/**
 * Applies `total` jobs of one kind at once and measures: the time until all are Completed,
 * SageMaker calls per job by operation (the emulator's call log), describes per finished job per
 * hour at rest, Kubernetes writes per job (the operator's metrics, cross-checked with the
 * apiserver's), and the operator's resident memory.
 */
export async function runJobBench(
  bench: JobBench,
  options: ReturnType<typeof jobBenchOptions>,
): Promise<void> {
  const { total, scale, restHours, workers } = options;
  const { kind, plural: PLURAL, spec } = bench;
  const describeOperation = `Describe${kind}`;
  const createOperation = `Create${kind}`;
  const PHASES = bench.phases;
  const PHASE_ENDS = Object.values(PHASES).map((_, i, all) => all.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const NEXT_STATUSES = bench.nextStatuses;
  const LIFETIME_S = PHASE_ENDS.at(-1) ?? 0;
  const STATE_CHANGES = bench.stateChanges;
  const { scaledMs, toSageMakerS } = timeScale(scale);

  const compiledOperator = compileOperator(bench.buildDir);
  const rig = await startRig({ scale, timings: PHASES, bucket: bench.bucket });
  try {
    const { kc, emulator } = rig;
    await bench.prepare?.(rig);
    const operator = await startOperator(rig, compiledOperator, scale, workers);
    const { pid, scrape, rssIdle, nodeFlags } = operator;

    const apiserverBefore = await apiserverMetrics(kc);
    const countsBefore = operatorCounts(await scrape(), kind);
    const tracked = await trackStatuses(kc, PLURAL, bench.stateField, 'Completed', total);
    const statuses = tracked.statuses;
    const cpuBefore = cpuSeconds(pid);
    const benchCpuBefore = process.cpuUsage();
    const applied = performance.now();
    const createdMs = await createAll(kc, PLURAL, kind, total, (i) => ({
      name: `job-${String(i).padStart(5, '0')}`,
      spec: spec(i),
    }));
    console.log(`applied ${total} ${kind}s in ${(createdMs / 1000).toFixed(1)} s`);

    // Until every job reports Completed (in its stateField, as kubectl shows it). A watch
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
    const runCounts = diff(operatorCounts(runMetrics, kind), countsBefore);
    const apiserverAfterRun = await apiserverMetrics(kc);
    const sageMakerCounts = await emulator.control.counts();
    const log: CallRecord[] = (await emulator.control.calls({})).calls;
    const perJob = new Map<string, { describes: number; notFound: number; created?: number }>();
    for (const call of log) {
      if (!call.resource || (call.operation !== describeOperation && call.operation !== createOperation))
        continue;
      const job = perJob.get(call.resource) ?? { describes: 0, notFound: 0 };
      if (call.operation === createOperation && call.outcome === 'ok') job.created = call.time;
      if (call.operation === describeOperation) {
        job.describes++;
        if (call.outcome !== 'ok') job.notFound++;
      }
      perJob.set(call.resource, job);
    }
    const jobs = [...perJob.values()];
    const sample = log.filter((c) => c.resource?.toLowerCase().endsWith('job-00000'));
    const sampleCreated = sample.find((c) => c.operation === createOperation)?.time ?? 0;
    console.log(
      `calls about one job, in SageMaker seconds after its create (phases end at ${PHASE_ENDS.join(', ')}):\n  ` +
        sample
          .map((c) => `${c.operation.replace(kind, '')} ${toSageMakerS(c.time - sampleCreated).toFixed(0)}`)
          .join(' · '),
    );
    // SageMaker moves a job to each next status PHASE_ENDS after its create; the watch saw it later.
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
    const restBefore = operatorCounts(await scrape(), kind);
    const apiserverRestBefore = await apiserverMetrics(kc);
    const restMs = restHours * 3600 * 1000 * scale;
    console.log(`at rest for ${(restMs / 1000).toFixed(0)} s (${restHours} h of SageMaker time)`);
    const rssRestMax = await restWindow(pid, restMs);
    const restCounts = diff(operatorCounts(await scrape(), kind), restBefore);
    const cpuRest = cpuSeconds(pid) - cpuBefore - cpuRun;
    const apiserverRestAfter = await apiserverMetrics(kc);
    const restSageMaker = await emulator.control.counts();
    const rssAtRest = rssMb(pid, 'VmRSS');
    const rssPeak = rssMb(pid, 'VmHWM');

    const perJobFigure = (n: number): string => (n / total).toFixed(2);
    const restDescribes = restSageMaker[describeOperation] ?? 0;
    const sageMakerTotal = Object.values(sageMakerCounts).reduce((a, b) => a + b, 0);
    const restTotal = Object.values(restSageMaker).reduce((a, b) => a + b, 0);
    const perJobHourAtRest = (n: number): string => (n / total / restHours).toFixed(3);
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
      ['operator flags (scaled production defaults)', ...operatorFlagsSummary(scale, workers)],
      [
        'apply → all Completed',
        `${(completedMs / 1000).toFixed(1)} s real = ${toSageMakerS(completedMs).toFixed(0)} SageMaker s`,
        `creates took ${(createdMs / 1000).toFixed(1)} s; one job lives ${LIFETIME_S} s`,
      ],
      [
        'state change → status (SageMaker s)',
        quantiles(changeLagS),
        `every ${bench.stateField} change of every job (${changeLagS.length}), as a watch saw it; target p95 ≤ 15`,
      ],
      ['  Completed → status (SageMaker s)', quantiles(completionLagS), 'the completions alone'],
      [
        'SageMaker calls per job',
        perJobFigure(sageMakerTotal),
        `target ≤ ${target} (1 create + ${STATE_CHANGES} state changes + 2)`,
      ],
      callCountCrossCheck(runCounts.aws, sageMakerTotal, perJobFigure),
      ...Object.entries(sageMakerCounts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]): [string, string, string] => [`  ${op}`, perJobFigure(n), '']),
      ['  describes per job (found)', quantiles(describesWhileRunning), 'not counting the not-found one'],
      [
        'describes per finished job per hour at rest',
        (restDescribes / total / restHours).toFixed(2),
        `target ≤ 1 (ACK: 12); ${restDescribes} in ${restHours} h`,
      ],
      ['  other SageMaker calls at rest', String(restTotal - restDescribes), JSON.stringify(restSageMaker)],
      [
        'SageMaker calls per resource per hour at rest',
        perJobHourAtRest(restTotal),
        SWEEPS
          ? `target ≤ 0.1 (ACK: 12); safety describes average ${(3600 / PRODUCTION.safetyS).toFixed(3)}/h, none due within a shorter window`
          : 'target ≤ 0.1 (ACK: 12)',
      ],
      callCountCrossCheck(restCounts.aws, restTotal, perJobHourAtRest),
      [
        'Kubernetes writes per job',
        perJobFigure(runCounts.status + runCounts.finalizer + runCounts.event),
        `status ${perJobFigure(runCounts.status)} · finalizer ${perJobFigure(runCounts.finalizer)} · events ${perJobFigure(runCounts.event)}`,
      ],
      [
        '  apiserver count (cross-check)',
        perJobFigure(apiserverJobWrites + apiserverEventWrites),
        `${PLURAL} ${perJobFigure(apiserverJobWrites)} (besides the create) · events ${perJobFigure(apiserverEventWrites)}`,
      ],
      ['  reconciles per job', perJobFigure(runCounts.reconciles), ''],
      [
        'mean latency while running (ms)',
        `reconcile ${meanMs(runMetrics, 'controller_runtime_reconcile_time_seconds').toFixed(0)}`,
        `SageMaker call ${meanMs(runMetrics, 'aws_api_request_duration_seconds', SAGEMAKER_CALLS).toFixed(0)} · queue wait ${meanMs(runMetrics, 'workqueue_queue_duration_seconds').toFixed(0)}`,
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
      `\ncommand: npx tsx ${bench.script} --jobs ${total} --time-scale ${scale} --rest-hours ${restHours} --concurrency ${workers}` +
        (nodeFlags.length > 0 ? ` (BENCH_NODE_FLAGS="${nodeFlags.join(' ')}")` : ''),
    );
  } finally {
    await stopAll(rig);
  }
}

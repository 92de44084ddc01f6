/**
 * Endpoints at scale: `npx tsx test/bench/endpoint-bench.ts [--endpoints 200]
 * [--time-scale 0.05] [--rest-hours 1] [--concurrency 64]`.
 *
 * On a private control plane, moto's S3 and the SageMaker emulator (in this process), starts the
 * operator as its own compiled process, applies N single-model, single-variant Endpoints at once and
 * measures: the time until all are InService, SageMaker calls per endpoint by operation (the
 * emulator's call log), describes per endpoint per hour at rest (target ≤ 6, one per drift interval;
 * ACK describes every endpoint every 30 s = 120/h), Kubernetes writes per endpoint at rest (target
 * 0; the operator's metrics, cross-checked with the apiserver's), and the operator's resident memory.
 *
 * SageMaker time runs 1/time-scale times faster: the emulator's endpoint creation (600 s) and the
 * operator's production defaults (poll 10 s..300 s, drift 10 min, 10 SageMaker requests/s) are scaled
 * by the same factor, so every count is what it would be in real time as long as the operator keeps
 * up (see training-job-bench.ts). The rest window is a whole number of SageMaker hours (3,600 ×
 * time-scale real seconds each). BENCH_NODE_FLAGS sets the operator's Node flags (default: none).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { CallRecord } from '../emulator/index.js';
import { GROUP } from '../../src/crds/index.js';
import { apiserverMetrics as allApiserverMetrics } from '../rig/apiserver-http.js';
import {
  apiserverWritesBetween,
  byStatus,
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
  rssMb,
  startOperator,
  startRig,
  stopAll,
  SWEEPS,
  operatorFlagsSummary,
  timeScale,
  trackStatuses,
} from './support.js';

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string', default: '200' },
    'time-scale': { type: 'string', default: '0.05' },
    'rest-hours': { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '64' },
  },
});
const total = Number(values.endpoints);
const scale = Number(values['time-scale']);
const restHours = Number(values['rest-hours']);
const workers = Number(values.concurrency);
const { scaledMs, toSageMakerS } = timeScale(scale);

const BUCKET = 'bench-hosting';
const MODEL_KEY = 'models/xgboost/model.tar.gz';
const PLURAL = 'endpoints';
const KIND = 'Endpoint';
/** SageMaker seconds; the emulator multiplies them by the time scale. */
const TIMINGS = { endpointCreating: 600 };
const CREATING_S = TIMINGS.endpointCreating;
/** SageMaker calls at rest per endpoint per SageMaker hour (at most 0.1 with sweeps). */
const REST_TARGET = SWEEPS ? 0.1 : 3600 / PRODUCTION.driftS;
/** ACK's resync: every endpoint every 30 s. */
const ACK_PER_HOUR = 3600 / 30;

/**
 * The apiserver's metrics without the core `endpoints` resource (the apiserver rewrites the
 * `kubernetes` Service's Endpoints every few seconds), so resource="endpoints" counts ours only.
 */
async function apiserverMetrics(kc: Parameters<typeof allApiserverMetrics>[0]): Promise<string> {
  return (await allApiserverMetrics(kc))
    .split('\n')
    .filter((l) => !l.includes(`resource="${PLURAL}"`) || l.includes(`group="${GROUP}"`))
    .join('\n');
}

const compiledOperator = compileOperator('endpoint-bench-build');
const rig = await startRig({ scale, timings: TIMINGS, bucket: BUCKET, objects: [MODEL_KEY] });
try {
  const { kc, emulator } = rig;
  const operator = await startOperator(rig, compiledOperator, scale, workers);
  const { pid, scrape } = operator;

  const spec = (i: number): Record<string, unknown> => ({
    models: [
      {
        modelName: 'xgboost',
        primaryContainer: {
          image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
          modelDataUrl: `s3://${BUCKET}/${MODEL_KEY}`,
          environment: { BENCH_INDEX: String(i) },
        },
        executionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecutionRole',
      },
    ],
    productionVariants: [
      {
        variantName: 'AllTraffic',
        modelName: 'xgboost',
        instanceType: 'ml.m5.large',
        initialInstanceCount: 1,
      },
    ],
  });

  const apiserverBefore = await apiserverMetrics(kc);
  const countsBefore = operatorCounts(await scrape(), KIND);
  const tracked = await trackStatuses(kc, PLURAL, 'endpointStatus', 'InService', total);
  const cpuBefore = cpuSeconds(pid);
  const benchCpuBefore = process.cpuUsage();
  const applied = performance.now();
  const appliedEpoch = Date.now();
  const createdMs = await createAll(kc, PLURAL, KIND, total, (i) => ({
    name: `ep-${String(i).padStart(5, '0')}`,
    spec: spec(i),
  }));
  console.log(`applied ${total} Endpoints in ${(createdMs / 1000).toFixed(1)} s`);

  let inServiceMs = 0;
  let lastReport = 0;
  for (;;) {
    const counts = byStatus(tracked.statuses);
    const elapsed = performance.now() - applied;
    if (tracked.doneCount() === total) {
      inServiceMs = tracked.doneAt() - applied;
      break;
    }
    if (elapsed - lastReport > 10_000) {
      lastReport = elapsed;
      console.log(`  ${(elapsed / 1000).toFixed(0)} s: ${JSON.stringify(Object.fromEntries(counts))}`);
    }
    if ((counts.get('Failed') ?? 0) > 0)
      throw new Error(`endpoints failed: ${JSON.stringify(Object.fromEntries(counts))}`);
    if (operator.exitCode() !== null) throw new Error('the operator exited');
    if (elapsed > 15 * 60_000) throw new Error('not all endpoints were InService within 15 minutes');
    await sleep(100);
  }
  tracked.stop();
  console.log(`all ${total} InService ${(inServiceMs / 1000).toFixed(1)} s after the apply began`);
  const rssPeakRun = rssMb(pid, 'VmHWM');
  const cpuRun = cpuSeconds(pid) - cpuBefore;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const benchCpuRun = (benchCpu.user + benchCpu.system) / 1e6;
  const rssAtInService = rssMb(pid, 'VmRSS');

  // Let the last status writes and events land, then take the run's figures.
  await sleep(Math.min(2000, scaledMs(PRODUCTION.pollMinS) * 10));
  const runMetrics = await scrape();
  const runCounts = diff(operatorCounts(runMetrics, KIND), countsBefore);
  const apiserverAfterRun = await apiserverMetrics(kc);
  const sageMakerCounts = await emulator.control.counts();
  const log: CallRecord[] = (await emulator.control.calls({})).calls;
  // Per SageMaker endpoint name: when CreateEndpoint succeeded, how often it was described.
  const perEndpoint = new Map<string, { describes: number; notFound: number; created?: number }>();
  for (const call of log) {
    if (!call.resource || (call.operation !== 'DescribeEndpoint' && call.operation !== 'CreateEndpoint'))
      continue;
    const ep = perEndpoint.get(call.resource) ?? { describes: 0, notFound: 0 };
    if (call.operation === 'CreateEndpoint' && call.outcome === 'ok') ep.created = call.time;
    if (call.operation === 'DescribeEndpoint') {
      ep.describes++;
      if (call.outcome !== 'ok') ep.notFound++;
    }
    perEndpoint.set(call.resource, ep);
  }
  const sampleName = [...perEndpoint.keys()].sort()[0] ?? '';
  const sample = log.filter(
    (c) => c.resource !== undefined && (c.resource.startsWith(sampleName) || c.resource.endsWith(sampleName)),
  );
  const sampleCreated = sample.find((c) => c.operation === 'CreateEndpoint')?.time ?? 0;
  console.log(
    `calls about one endpoint (${sampleName}), in SageMaker seconds after its CreateEndpoint (InService at ${CREATING_S}):\n  ` +
      sample.map((c) => `${c.operation} ${toSageMakerS(c.time - sampleCreated).toFixed(0)}`).join(' · '),
  );
  // Per object: apply → InService as the watch saw it; and the lag after SageMaker's InService.
  const toInServiceS = [...tracked.doneTimes.values()].map((t) => toSageMakerS(t - appliedEpoch));
  const created = [...perEndpoint.values()].map((e) => e.created ?? 0).filter((t) => t > 0);
  const createLagS = created.map((t) => toSageMakerS(t - appliedEpoch));
  // SageMaker reports InService CREATING_S after CreateEndpoint; the watch saw it this much later.
  const sageMakerName = (name: string): string | undefined =>
    [...perEndpoint.keys()].find((k) => k === name || k.endsWith(`-${name}`));
  const noticeLagS = [...tracked.doneTimes].flatMap(([name, t]) => {
    const createdAt = perEndpoint.get(sageMakerName(name) ?? '')?.created;
    return createdAt === undefined ? [] : [toSageMakerS(t - createdAt) - CREATING_S];
  });
  const describesWhileCreating = [...perEndpoint.values()].map((e) => e.describes - e.notFound);

  // At rest: every endpoint InService; count what the operator does in `restHours` of SageMaker time.
  await emulator.control.clearCalls();
  const restBefore = operatorCounts(await scrape(), KIND);
  const apiserverRestBefore = await apiserverMetrics(kc);
  const restMs = restHours * 3600 * 1000 * scale;
  console.log(`at rest for ${(restMs / 1000).toFixed(0)} s (${restHours} h of SageMaker time)`);
  const rssRestMax = await restWindow(pid, restMs);
  const restCounts = diff(operatorCounts(await scrape(), KIND), restBefore);
  const cpuRest = cpuSeconds(pid) - cpuBefore - cpuRun;
  const apiserverRestAfter = await apiserverMetrics(kc);
  const restSageMaker = await emulator.control.counts();
  const restLog: CallRecord[] = (await emulator.control.calls({ operation: 'DescribeEndpoint' })).calls;
  const restPerEndpoint = new Map<string, number>();
  for (const c of restLog)
    restPerEndpoint.set(c.resource ?? '', (restPerEndpoint.get(c.resource ?? '') ?? 0) + 1);
  const rssAtRest = rssMb(pid, 'VmRSS');
  const rssPeak = rssMb(pid, 'VmHWM');

  const perEndpointFigure = (n: number): string => (n / total).toFixed(2);
  const restDescribes = restSageMaker.DescribeEndpoint ?? 0;
  const restOther = Object.entries(restSageMaker).filter(([op]) => op !== 'DescribeEndpoint');
  const sageMakerTotal = Object.values(sageMakerCounts).reduce((a, b) => a + b, 0);
  const restTotal = Object.values(restSageMaker).reduce((a, b) => a + b, 0);
  const perEndpointHourAtRest = (n: number): string => (n / total / restHours).toFixed(3);
  const apiserverEndpointWrites = apiserverWritesBetween(apiserverBefore, apiserverAfterRun, PLURAL) - total;
  const apiserverEventWrites = apiserverWritesBetween(apiserverBefore, apiserverAfterRun, 'events');
  const apiserverRestWrites =
    apiserverWritesBetween(apiserverRestBefore, apiserverRestAfter, PLURAL) +
    apiserverWritesBetween(apiserverRestBefore, apiserverRestAfter, 'events');

  printTable([
    ['endpoints applied at once', String(total), '1 model, 1 variant (ml.m5.large × 1) each'],
    [
      'time scale',
      `${scale} (1 real s = ${(1 / scale).toFixed(0)} SageMaker s)`,
      `endpoint Creating lasts ${CREATING_S} s`,
    ],
    ['operator flags (scaled production defaults)', ...operatorFlagsSummary(scale, workers)],
    [
      'apply → all InService',
      `${(inServiceMs / 1000).toFixed(1)} s real = ${toSageMakerS(inServiceMs).toFixed(0)} SageMaker s`,
      `creates took ${(createdMs / 1000).toFixed(1)} s; SageMaker takes ${CREATING_S} s per endpoint`,
    ],
    [
      '  apply → InService per endpoint (SageMaker s)',
      quantiles(toInServiceS),
      'as the watch saw status.endpointStatus',
    ],
    [
      '  apply → CreateEndpoint (SageMaker s)',
      quantiles(createLagS),
      'CreateModel and CreateEndpointConfig come first',
    ],
    [
      '  InService noticed after (SageMaker s)',
      quantiles(noticeLagS),
      'per endpoint, status InService − (CreateEndpoint + Creating)',
    ],
    ['SageMaker calls per endpoint to converge', perEndpointFigure(sageMakerTotal), 'apply → all InService'],
    callCountCrossCheck(runCounts.aws, sageMakerTotal, perEndpointFigure),
    ...Object.entries(sageMakerCounts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, n]): [string, string, string] => [`  ${op}`, perEndpointFigure(n), '']),
    ['  describes per endpoint (found)', quantiles(describesWhileCreating), 'not counting not-found answers'],
    [
      'describes per endpoint per hour at rest',
      (restDescribes / total / restHours).toFixed(2),
      `ACK: ${ACK_PER_HOUR}; ${restDescribes} in ${restHours} h; per endpoint ${quantiles([...restPerEndpoint.values()])}`,
    ],
    [
      '  other SageMaker calls at rest',
      String(restOther.reduce((a, [, n]) => a + n, 0)),
      restOther.map(([op, n]) => `${op} ${n}`).join(', '),
    ],
    [
      'SageMaker calls per endpoint per hour at rest',
      perEndpointHourAtRest(restTotal),
      `target ≤ ${REST_TARGET} (ACK: ${ACK_PER_HOUR})`,
    ],
    callCountCrossCheck(restCounts.aws, restTotal, perEndpointHourAtRest),
    [
      'Kubernetes writes per endpoint to converge',
      perEndpointFigure(runCounts.status + runCounts.finalizer + runCounts.event),
      `status ${perEndpointFigure(runCounts.status)} · finalizer ${perEndpointFigure(runCounts.finalizer)} · events ${perEndpointFigure(runCounts.event)}`,
    ],
    [
      '  apiserver count (cross-check)',
      perEndpointFigure(apiserverEndpointWrites + apiserverEventWrites),
      `endpoints ${perEndpointFigure(apiserverEndpointWrites)} (besides the create) · events ${perEndpointFigure(apiserverEventWrites)}`,
    ],
    ['  reconciles per endpoint', perEndpointFigure(runCounts.reconciles), ''],
    [
      'mean latency while converging (ms)',
      `reconcile ${meanMs(runMetrics, 'controller_runtime_reconcile_time_seconds').toFixed(0)}`,
      `SageMaker call ${meanMs(runMetrics, 'aws_api_request_duration_seconds', SAGEMAKER_CALLS).toFixed(0)} · queue wait ${meanMs(runMetrics, 'workqueue_queue_duration_seconds').toFixed(0)}`,
    ],
    [
      'Kubernetes writes per endpoint at rest',
      perEndpointFigure(restCounts.status + restCounts.finalizer + restCounts.event),
      `target 0 · status ${restCounts.status}, events ${restCounts.event}; apiserver saw ${apiserverRestWrites}; reconciles ${restCounts.reconciles}`,
    ],
    ...resourceRows('InService', 'at all InService', {
      rssIdle: operator.rssIdle,
      rssAtEnd: rssAtInService,
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
    `\ncommand: npx tsx test/bench/endpoint-bench.ts --endpoints ${total} --time-scale ${scale} --rest-hours ${restHours} --concurrency ${workers}` +
      (operator.nodeFlags.length > 0 ? ` (BENCH_NODE_FLAGS="${operator.nodeFlags.join(' ')}")` : ''),
  );
} finally {
  await stopAll(rig);
}

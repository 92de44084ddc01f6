/**
 * Monitoring schedules at scale: `npx tsx test/bench/monitoring-bench.ts [--schedules 200]
 * [--time-scale 0.01] [--hours 3] [--concurrency 16]` (`--help` prints this).
 *
 * On a private control plane, moto's S3 and the SageMaker emulator (in this process), starts the
 * compiled operator, applies N hourly DataQuality schedules at once, waits until all are Scheduled,
 * then lets `hours` SageMaker hours of executions run and measures: SageMaker calls per schedule per
 * hour by operation (the emulator's call log; target ≤ 4, ACK describes every schedule every 30 s =
 * 120/h), the delay from an execution's completion (its processing job's ProcessingEndTime) to the
 * status showing it (a watch; target 2 minutes), and the operator's Kubernetes writes per schedule
 * per hour (its metrics; target: only when something changed, i.e. per execution state seen).
 *
 * SageMaker time runs 1/time-scale times faster; the operator's production defaults and
 * `--monitoring-hour` are scaled by the same factor (see endpoint-bench.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ListProcessingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../src/crds/index.js';
import {
  compileOperator,
  createAll,
  CREDENTIALS,
  diff,
  NAMESPACE,
  operatorCounts,
  callCountCrossCheck,
  printTable,
  quantiles,
  REGION,
  startOperator,
  startRig,
  stopAll,
  timeScale,
} from './support.js';

const { values } = parseArgs({
  options: {
    schedules: { type: 'string', default: '200' },
    'time-scale': { type: 'string', default: '0.01' },
    hours: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npx tsx test/bench/monitoring-bench.ts [--schedules 200] [--time-scale 0.01] [--hours 3] [--concurrency 16]\n' +
      '  N hourly DataQuality schedules; runs `hours` SageMaker hours at 1/time-scale speed and reports\n' +
      '  SageMaker calls, completion-to-status delay and Kubernetes writes per schedule per hour.',
  );
  process.exit(0);
}
const total = Number(values.schedules);
const scale = Number(values['time-scale']);
const hours = Number(values.hours);
const workers = Number(values.concurrency);
const { scaledMs, toSageMakerS } = timeScale(scale);

const BUCKET = 'bench-monitoring';
const PLURAL = 'monitoringschedules';
const KIND = 'MonitoringSchedule';
const ACK_PER_HOUR = 3600 / 30;

interface Seen {
  scheduledAt?: number;
  /** When the watch first saw each processing job's execution finished, epoch ms. */
  finished: Map<string, number>;
}

const spec = (i: number): Record<string, unknown> => ({
  monitoringType: 'DataQuality',
  endpointName: `endpoint-${i}`,
  schedule: { scheduleExpression: 'cron(0 * ? * * *)' },
  baseline: {
    constraintsUri: `s3://${BUCKET}/baseline/constraints.json`,
    statisticsUri: `s3://${BUCKET}/baseline/statistics.json`,
  },
  dataQualityJobDefinition: {
    dataQualityAppSpecification: {},
    dataQualityJobInput: {},
    dataQualityJobOutputConfig: {
      monitoringOutputs: [
        { s3Output: { s3Uri: `s3://${BUCKET}/reports`, localPath: '/opt/ml/processing/output' } },
      ],
    },
    jobResources: { clusterConfig: { instanceType: 'ml.m5.large', instanceCount: 1, volumeSizeInGB: 20 } },
    roleArn: 'arn:aws:iam::123456789012:role/SageMakerExecutionRole',
  },
});

const compiledOperator = compileOperator('monitoring-bench-build');
const rig = await startRig({ scale, timings: {}, bucket: BUCKET });
try {
  const { kc, emulator } = rig;
  await emulator.control.configure({ limits: { concurrentProcessingJobs: 10_000 } });
  const operator = await startOperator(rig, compiledOperator, scale, workers);
  const { scrape } = operator;

  const seen = new Map<string, Seen>();
  type Listed = {
    metadata: { name: string };
    status?: {
      monitoringScheduleStatus?: string;
      lastExecution?: { status: string; processingJobName?: string };
    };
  };
  const record = (obj: Listed): void => {
    const entry: Seen = seen.get(obj.metadata.name) ?? { finished: new Map<string, number>() };
    seen.set(obj.metadata.name, entry);
    if (obj.status?.monitoringScheduleStatus === 'Scheduled') entry.scheduledAt ??= Date.now();
    const last = obj.status?.lastExecution;
    const finished = /^(Completed|CompletedWithViolations|Failed|Stopped)$/.test(last?.status ?? '');
    if (last?.processingJobName && finished && !entry.finished.has(last.processingJobName))
      entry.finished.set(last.processingJobName, Date.now());
  };
  /*
   * A list every 200 ms (20 SageMaker seconds at the default scale), not a watch: the rig's watches
   * went silent during long windows. The delays below are accurate to that period.
   */
  const api = kc.makeApiClient(CustomObjectsApi);
  const stopPolling = new AbortController();
  const poller = (async () => {
    while (!stopPolling.signal.aborted) {
      const list = (await api.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NAMESPACE,
        plural: PLURAL,
      })) as { items: Listed[] };
      for (const item of list.items) record(item);
      await sleep(200);
    }
  })();

  const createdMs = await createAll(kc, PLURAL, KIND, total, (i) => ({
    name: `mon-${String(i).padStart(5, '0')}`,
    spec: spec(i),
  }));
  console.log(`applied ${total} MonitoringSchedules in ${(createdMs / 1000).toFixed(1)} s`);
  for (const started = performance.now(); ;) {
    const scheduled = [...seen.values()].filter((s) => s.scheduledAt !== undefined).length;
    if (scheduled === total) break;
    if (operator.exitCode() !== null) throw new Error('the operator exited');
    if (performance.now() - started > 3 * 60_000)
      throw new Error(`only ${scheduled} of ${total} Scheduled in 3 minutes`);
    await sleep(100);
  }
  console.log(
    `all ${total} Scheduled; running ${hours} SageMaker hours (${(scaledMs(hours * 3600) / 1000).toFixed(0)} s)`,
  );

  await emulator.control.clearCalls();
  const countsBefore = operatorCounts(await scrape(), KIND);
  const windowStart = Date.now();
  await sleep(scaledMs(hours * 3600));
  const windowEnd = Date.now();
  const callCounts = await emulator.control.counts();
  const counts = diff(operatorCounts(await scrape(), KIND), countsBefore);
  stopPolling.abort();
  await poller;

  // Every execution's completion, from SageMaker's own record of its processing job.
  const sagemaker = new SageMakerClient({
    endpoint: emulator.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
  });
  const ends = new Map<string, number>();
  let nextToken: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListProcessingJobsCommand({ MaxResults: 100, NextToken: nextToken }),
    );
    for (const job of page.ProcessingJobSummaries ?? [])
      if (job.ProcessingEndTime && job.ProcessingJobName)
        ends.set(job.ProcessingJobName, job.ProcessingEndTime.getTime());
    nextToken = page.NextToken;
  } while (nextToken);
  sagemaker.destroy();
  const finishedSeen = new Map([...seen.values()].flatMap((s) => [...s.finished]));
  // Executions that finished in the window early enough to be reported before it closed (2 min).
  const due = [...ends].filter(([, end]) => end >= windowStart && end <= windowEnd - scaledMs(120));
  const delaysS = due.flatMap(([name, end]) => {
    const at = finishedSeen.get(name);
    return at === undefined ? [] : [Math.max(0, toSageMakerS(at - end))];
  });
  const missed = due.length - delaysS.length;

  const perScheduleHour = (n: number): string => (n / total / hours).toFixed(2);
  const sageMakerTotal = Object.values(callCounts).reduce((a, n) => a + n, 0);
  printTable([
    ['schedules', String(total), `hourly DataQuality, ${hours} SageMaker hours at time scale ${scale}`],
    [
      'executions finished in the window',
      String(due.length),
      `${delaysS.filter((d) => d > 120).length} in status after more than 2 minutes, ${missed} never`,
    ],
    [
      'SageMaker calls per schedule per hour',
      perScheduleHour(sageMakerTotal),
      `target ≤ 4; ACK ${ACK_PER_HOUR}`,
    ],
    callCountCrossCheck(counts.aws, sageMakerTotal, perScheduleHour),
    ...Object.entries(callCounts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, n]): [string, string, string] => [`  ${op}`, perScheduleHour(n), `${n} in all`]),
    ['completion → status (SageMaker s)', quantiles(delaysS), 'target ≤ 120 s'],
    [
      'Kubernetes writes per schedule per hour',
      perScheduleHour(counts.status + counts.event + counts.finalizer),
      `status ${counts.status}, events ${counts.event}, finalizers ${counts.finalizer}; reconciles ${counts.reconciles}`,
    ],
  ]);
} finally {
  await stopAll(rig);
}

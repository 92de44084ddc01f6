/**
 * Data flowing along a five-step chain with no orchestrator: `npx tsx test/bench/chain-bench.ts
 * [--chains 20] [--time-scale 0.05] [--concurrency 64] [--mode both|push|sweeps] [--slowest 5]`.
 *
 *   preprocess (ProcessingJob: raw data → train and test outputs)
 *     → train (TrainingJob: channel from preprocess's train output)
 *     → score (TransformJob: input from preprocess's test output, model from train's artifacts)
 *     → evaluate (ProcessingJob: inputs from score's output and train's artifacts)
 *     → report (ProcessingJob: input from evaluate's output)
 *
 * Every object of every chain is applied at once; each reader waits (nothing created in SageMaker)
 * until the jobs it reads from have Completed, and is woken by their change. Each chain has six
 * references (edges). A reader's create can only follow the last of its upstream jobs to complete,
 * so the latency of a reader is measured from that upstream job's completion in SageMaker (its
 * TrainingEndTime, ProcessingEndTime or TransformEndTime: the moment the emulator changed its status,
 * the same instant its state-change event carries) to the reader's own Create* call as the
 * emulator's call log received it. The other edges of a reader were satisfied earlier and are
 * counted as edges, not as latencies. Each latency is split where a watch saw the upstream object's
 * status become Completed (the operator found the change; by its event, a sweep or the job's own
 * poll) and the rest (the reader woken and created); the slowest readers are printed step by step
 * (--slowest), and so is one chain's every call. Each job's inputs exist (moto holds the first
 * step's raw data, every step writes what the next reads) and the emulator checks them
 * (s3Checks.inputsExist), so a reader given a wrong URI fails its chain.
 *
 * Two modes, each on a fresh rig (control plane, moto, emulator, operator): push (the emulator's
 * state-change events to SQS, long-polled by the operator, with its sweeps as the safety net), and
 * sweeps only (List calls every sweep interval). The operator runs with the production defaults
 * scaled by the time scale, as in job-bench.ts. Work that does not scale (reconciles, watches,
 * Kubernetes writes, the SQS round trip) weighs 1/time-scale times more in SageMaker seconds than
 * it would in real time, so the SageMaker-second figures are upper bounds; the push target is in
 * real seconds, because what push waits for (delivery, a reconcile) does not scale in production.
 */
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { SERVICE_LABELS } from '../../src/aws/metrics.js';
import { GROUP, VERSION } from '../../src/crds/index.js';
import type { CallRecord, PublishedEvent } from '../emulator/index.js';
import { defaultTimings } from '../emulator/index.js';
import { apiserverMetrics } from '../rig/apiserver-http.js';
import {
  apiserverWritesBetween,
  compileOperator,
  cpuSeconds,
  createAll,
  CREDENTIALS,
  metricSum,
  NAMESPACE,
  operatorFlagsSummary,
  PRODUCTION,
  REGION,
  SAGEMAKER_CALLS,
  startOperator,
  startRig,
  stopAll,
  SWEEPS,
  timeScale,
  trackStatuses,
} from './support.js';

const { values } = parseArgs({
  options: {
    chains: { type: 'string', default: '20' },
    'time-scale': { type: 'string', default: '0.05' },
    concurrency: { type: 'string', default: '64' },
    slowest: { type: 'string', default: '5' },
    mode: { type: 'string', default: 'both' },
  },
});
const CHAINS = Number(values.chains);
const SCALE = Number(values['time-scale']);
const WORKERS = Number(values.concurrency);
const SLOWEST = Number(values.slowest);
if (!['both', 'push', 'sweeps'].includes(values.mode))
  throw new Error(`--mode is both, push or sweeps, not ${values.mode}`);
const MODES: Mode[] = values.mode === 'both' ? ['push', 'sweeps'] : [values.mode as Mode];

type Mode = 'push' | 'sweeps';
type Kind = 'ProcessingJob' | 'TrainingJob' | 'TransformJob';
type Step = 'preprocess' | 'train' | 'score' | 'evaluate' | 'report';

const BUCKET = 'bench-chain';
const RAW_OBJECT = 'raw/data.csv';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const PROCESSING_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1';
/** The emulator's realistic phases (SageMaker seconds): processing and transform 300, training 810. */
const PHASES = defaultTimings;
const TRAINING_S =
  PHASES.trainingStarting + PHASES.trainingDownloading + PHASES.trainingTraining + PHASES.trainingUploading;

const KINDS: Record<Kind, { plural: string; stateField: string; nameField: string }> = {
  ProcessingJob: {
    plural: 'processingjobs',
    stateField: 'processingJobStatus',
    nameField: 'processingJobName',
  },
  TrainingJob: { plural: 'trainingjobs', stateField: 'trainingJobStatus', nameField: 'trainingJobName' },
  TransformJob: { plural: 'transformjobs', stateField: 'transformJobStatus', nameField: 'transformJobName' },
};

const STEPS: Record<Step, { kind: Kind; lifetimeS: number }> = {
  preprocess: { kind: 'ProcessingJob', lifetimeS: PHASES.processingRunning },
  train: { kind: 'TrainingJob', lifetimeS: TRAINING_S },
  score: { kind: 'TransformJob', lifetimeS: PHASES.transformRunning },
  evaluate: { kind: 'ProcessingJob', lifetimeS: PHASES.processingRunning },
  report: { kind: 'ProcessingJob', lifetimeS: PHASES.processingRunning },
};
const STEP_NAMES = Object.keys(STEPS) as Step[];

/** Every reference of a chain: the reader reads the upstream's output (how, for the table). */
const EDGES: { upstream: Step; reader: Step; how: string }[] = [
  { upstream: 'preprocess', reader: 'train', how: 'channel ← processing output train' },
  { upstream: 'preprocess', reader: 'score', how: 'transform input ← processing output test' },
  { upstream: 'train', reader: 'score', how: 'model data ← training artifacts (modelDataFrom)' },
  { upstream: 'score', reader: 'evaluate', how: 'input ← transform output' },
  { upstream: 'train', reader: 'evaluate', how: 'input ← training artifacts' },
  { upstream: 'evaluate', reader: 'report', how: 'input ← processing output evaluation' },
];
const READERS = [...new Set(EDGES.map((e) => e.reader))];
/** The chain's critical path in SageMaker seconds: every step after the one before. */
const CHAIN_S = STEP_NAMES.reduce((sum, step) => sum + STEPS[step].lifetimeS, 0);

const chainName = (c: number): string => `c${String(c).padStart(3, '0')}`;
const objectName = (c: number, step: Step): string => `${chainName(c)}-${step}`;
const s3 = (c: number, path: string): string => `s3://${BUCKET}/${chainName(c)}/${path}`;

const processingResources = {
  clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 10 },
};
const input = (name: string, from: Record<string, unknown>) => ({
  inputName: name,
  s3Input: { ...from, localPath: `/opt/ml/processing/input/${name}`, s3DataType: 'S3Prefix' },
});
const output = (c: number, name: string, path: string) => ({
  outputName: name,
  s3Output: { s3Uri: s3(c, path), localPath: `/opt/ml/processing/output/${name}`, s3UploadMode: 'EndOfJob' },
});
const processing = (inputs: unknown[], outputs: unknown[]) => ({
  roleArn: ROLE,
  appSpecification: { imageUri: PROCESSING_IMAGE },
  processingResources,
  processingInputs: inputs,
  processingOutputConfig: { outputs },
  stoppingCondition: { maxRuntimeInSeconds: 3600 },
});

/** The spec of one step of chain `c`. */
function spec(c: number, step: Step): Record<string, unknown> {
  const ref = (s: Step): string => objectName(c, s);
  switch (step) {
    case 'preprocess':
      return processing(
        [input('raw', { s3Uri: `s3://${BUCKET}/raw/` })],
        [output(c, 'train', 'features/train'), output(c, 'test', 'features/test')],
      );
    case 'train':
      return {
        roleArn: ROLE,
        algorithmSpecification: { trainingImage: IMAGE, trainingInputMode: 'File' },
        hyperParameters: { objective: 'reg:squarederror', num_round: '50' },
        inputDataConfig: [
          {
            channelName: 'train',
            dataSource: {
              s3DataSource: {
                s3DataType: 'S3Prefix',
                s3UriFrom: { processingJobRef: { name: ref('preprocess'), outputName: 'train' } },
              },
            },
            contentType: 'text/csv',
          },
        ],
        outputDataConfig: { s3OutputPath: s3(c, 'model') },
        resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 10 },
        stoppingCondition: { maxRuntimeInSeconds: 86_400 },
      };
    case 'score':
      return {
        model: {
          executionRoleArn: ROLE,
          primaryContainer: { image: IMAGE, modelDataFrom: { trainingJobRef: { name: ref('train') } } },
        },
        transformInput: {
          dataSource: {
            s3DataSource: {
              s3DataType: 'S3Prefix',
              s3UriFrom: { processingJobRef: { name: ref('preprocess'), outputName: 'test' } },
            },
          },
          contentType: 'text/csv',
          splitType: 'Line',
        },
        transformOutput: { s3OutputPath: s3(c, 'scores'), assembleWith: 'Line' },
        transformResources: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
      };
    case 'evaluate':
      return processing(
        [
          input('scores', { s3UriFrom: { transformJobRef: { name: ref('score') } } }),
          input('model', { s3UriFrom: { trainingJobRef: { name: ref('train') } } }),
        ],
        [output(c, 'evaluation', 'evaluation')],
      );
    case 'report':
      return processing(
        [
          input('evaluation', {
            s3UriFrom: { processingJobRef: { name: ref('evaluate'), outputName: 'evaluation' } },
          }),
        ],
        [output(c, 'report', 'report')],
      );
  }
}

interface Latency {
  /** Chain number, reader and the upstream it last waited for. */
  chain: number;
  reader: Step;
  upstream: Step;
  /** Real milliseconds from the upstream's completion to the reader's create. */
  ms: number;
  /** Of which: until a watch saw the upstream object's status Completed. */
  detectedMs: number;
  foundBy: FoundBy;
}

type FoundBy = 'event' | 'sweep' | 'poll';

interface ModeResult {
  mode: Mode;
  flags: [string, string];
  completedMs: number;
  latencies: Latency[];
  /** A transform reader's CreateModel, before its CreateTransformJob: milliseconds from the upstream. */
  modelCreateMs: number[];
  /** Readers whose create came before one of their upstream jobs had completed (must be none). */
  early: string[];
  /** Calls about a reader before its create (waiting should cost nothing in SageMaker). */
  callsWhileWaiting: number;
  calls: Record<string, number>;
  operatorCalls: number;
  k8sWrites: { status: number; finalizer: number; event: number };
  apiserverWrites: { objects: number; events: number };
  reconciles: number;
  operatorCpuS: number;
  /** The machine's 1-minute load average when every chain had Completed. */
  load: number;
  /** Real milliseconds from the apply to each first step's Create* (the chains' start). */
  startMs: number[];
  /** Writes of the three kinds the apiserver answered 409 Conflict (a stale object written). */
  conflicts: number;
  /** Mean milliseconds of the apiserver's writes of the three kinds and of events during the run. */
  apiserverWriteMs: number;
  /** The operator's S3 calls (reading upstream outputs, checking artifacts) and their mean latency. */
  s3Calls: number;
  means: { reconcileMs: number; sageMakerMs: number; queueWaitMs: number };
  /** Push: milliseconds from a completion to its event's send being answered by SQS. */
  eventDeliveryMs: number[];
  /** Push: the largest gap between an event's change time and its job's end time, in ms. */
  eventTimeOffsetMs: number;
}

const { scaledMs, toSageMakerS } = timeScale(SCALE);

async function runMode(mode: Mode, compiledOperator: string): Promise<ModeResult> {
  console.log(`\n== ${mode === 'push' ? 'push events on' : 'sweeps only'}: ${CHAINS} chains`);
  const rig = await startRig({
    scale: SCALE,
    timings: PHASES,
    bucket: BUCKET,
    objects: [RAW_OBJECT],
    push: mode === 'push',
  });
  try {
    const { kc, emulator } = rig;
    // SageMaker's own checks: inputs that are missing fail the job, a model without data is refused.
    await emulator.control.configure({ s3Checks: { inputsExist: true } });
    const operator = await startOperator(rig, compiledOperator, SCALE, WORKERS);
    const kinds = Object.keys(KINDS) as Kind[];
    const countOf = (kind: Kind): number => STEP_NAMES.filter((s) => STEPS[s].kind === kind).length * CHAINS;
    const tracked = await Promise.all(
      kinds.map((kind) =>
        trackStatuses(kc, KINDS[kind].plural, KINDS[kind].stateField, 'Completed', countOf(kind)),
      ),
    );
    const writesOf = (text: string) => {
      const sum = (write: string): number =>
        kinds.reduce(
          (n, kind) =>
            n + metricSum(text, 'operator_kubernetes_writes_total', `kind="${kind}"`, `write="${write}"`),
          0,
        );
      return {
        status: sum('status'),
        finalizer: sum('finalizer'),
        event: sum('event'),
        reconciles: metricSum(text, 'controller_runtime_reconcile_total'),
        aws: metricSum(text, 'aws_api_requests_total', SAGEMAKER_CALLS),
        s3: metricSum(text, 'aws_api_requests_total', `service="${SERVICE_LABELS.s3}"`),
      };
    };
    await emulator.control.clearCalls();
    const runBefore = await operator.scrape();
    const before = writesOf(runBefore);
    const apiserverBefore = await apiserverMetrics(kc);
    const cpuBefore = cpuSeconds(operator.pid);

    const total = CHAINS * STEP_NAMES.length;
    const applied = performance.now();
    const appliedAt = Date.now();
    // Every object of every chain at once, the readers as early as the jobs they read from.
    const createdMs = Math.max(
      ...(await Promise.all(
        kinds.map((kind) => {
          const steps = STEP_NAMES.filter((s) => STEPS[s].kind === kind);
          return createAll(kc, KINDS[kind].plural, kind, steps.length * CHAINS, (i) => {
            const c = Math.floor(i / steps.length);
            const step = steps[i % steps.length]!;
            return { name: objectName(c, step), spec: spec(c, step) };
          });
        }),
      )),
    );
    console.log(`applied ${total} objects (${CHAINS} chains of 5) in ${(createdMs / 1000).toFixed(1)} s`);

    const limitMs = scaledMs(CHAIN_S) * 3 + 120_000;
    let lastReport = 0;
    for (;;) {
      const done = tracked.reduce((n, t) => n + t.doneCount(), 0);
      const elapsed = performance.now() - applied;
      if (done === total) break;
      const states = new Map<string, number>();
      for (const [i, t] of tracked.entries())
        for (const s of t.statuses.values()) {
          const key = `${kinds[i]!} ${s}`;
          states.set(key, (states.get(key) ?? 0) + 1);
        }
      const failed = [...states].filter(([k]) => k.endsWith(' Failed') || k.endsWith(' Stopped'));
      if (failed.length > 0 || elapsed > limitMs) {
        await explain(rig);
        throw new Error(
          failed.length > 0
            ? `jobs did not complete: ${JSON.stringify(Object.fromEntries(states))}`
            : `not every chain completed within ${(limitMs / 1000).toFixed(0)} s`,
        );
      }
      if (elapsed - lastReport > 10_000) {
        lastReport = elapsed;
        console.log(`  ${(elapsed / 1000).toFixed(0)} s: ${JSON.stringify(Object.fromEntries(states))}`);
      }
      await sleep(100);
    }
    const completedMs = Math.max(...tracked.map((t) => t.doneAt())) - applied;
    for (const t of tracked) t.stop();
    const operatorCpuS = cpuSeconds(operator.pid) - cpuBefore;
    const load = loadavg()[0] ?? NaN;
    console.log(`all ${total} Completed ${(completedMs / 1000).toFixed(1)} s after the apply began`);

    // Let the last status writes and events land, then take the run's figures.
    await sleep(2000);
    const runAfter = await operator.scrape();
    const after = writesOf(runAfter);
    const apiserverAfter = await apiserverMetrics(kc);
    const { calls: log, counts } = await emulator.control.calls({});
    const events = mode === 'push' ? (await emulator.control.events()).recent : [];

    // What SageMaker calls each object's resources, and when each job ended there (calls made now,
    // after the counts were taken).
    const objects = new Map<string, { jobName: string; modelName?: string }>();
    const api = kc.makeApiClient(CustomObjectsApi);
    for (const kind of kinds) {
      const list = (await api.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NAMESPACE,
        plural: KINDS[kind].plural,
      })) as { items: { metadata: { name: string }; status?: Record<string, unknown> }[] };
      for (const item of list.items) {
        const status = item.status ?? {};
        objects.set(item.metadata.name, {
          jobName: String(status[KINDS[kind].nameField]),
          ...(typeof status.modelName === 'string' && { modelName: status.modelName }),
        });
      }
    }
    const sagemaker = new SageMakerClient({
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
    const endedAt = new Map<string, number>();
    for (let c = 0; c < CHAINS; c++)
      for (const step of STEP_NAMES) {
        const jobName = objects.get(objectName(c, step))?.jobName ?? '';
        endedAt.set(objectName(c, step), await endTime(sagemaker, STEPS[step].kind, jobName));
      }
    sagemaker.destroy();

    const statusSeen = (name: string): number => {
      for (const t of tracked) {
        const at = t.firstSeen.get(name)?.get('Completed');
        if (at !== undefined) return at;
      }
      return NaN;
    };
    const completions = new Map<string, PublishedEvent>();
    for (const event of events) if (event.status === 'Completed') completions.set(event.name, event);
    /**
     * What made the operator describe a finished job first: its event, a sweep (a List of its kind
     * since the end), or neither (its own describe schedule, which also settles the emulator's job).
     */
    const foundBy = (kind: Kind, jobName: string, ended: number): FoundBy => {
      const describe = log.find(
        (c) => c.operation === `Describe${kind}` && c.resource === jobName && c.time >= ended,
      );
      if (!describe) return 'poll';
      const sent = completions.get(jobName)?.sentAt;
      if (sent !== undefined && sent <= describe.time) return 'event';
      const listed = log.some(
        (c) => c.operation === `List${kind}s` && c.time >= ended && c.time <= describe.time,
      );
      return listed ? 'sweep' : 'poll';
    };
    const firstCall = (operation: string, resource: string | undefined): CallRecord | undefined =>
      log.find((call) => call.operation === operation && call.resource === resource);
    const latencies: Latency[] = [];
    const modelCreateMs: number[] = [];
    const early: string[] = [];
    let callsWhileWaiting = 0;
    for (let c = 0; c < CHAINS; c++)
      for (const reader of READERS) {
        const name = objectName(c, reader);
        const { kind } = STEPS[reader];
        const jobName = objects.get(name)?.jobName;
        const create = firstCall(`Create${kind}`, jobName);
        if (!create) throw new Error(`no Create${kind} of ${String(jobName)} (${name}) in the call log`);
        const upstreams = EDGES.filter((e) => e.reader === reader).map((e) => e.upstream);
        const ends = upstreams.map((u) => ({ upstream: u, at: endedAt.get(objectName(c, u)) ?? NaN }));
        const last = ends.reduce((a, b) => (b.at > a.at ? b : a));
        // The bench's watch can lag (it is restarted when its request times out): never after the create.
        const seen = Math.min(statusSeen(objectName(c, last.upstream)), create.time);
        latencies.push({
          chain: c,
          reader,
          upstream: last.upstream,
          ms: create.time - last.at,
          detectedMs: seen - last.at,
          foundBy: foundBy(
            STEPS[last.upstream].kind,
            objects.get(objectName(c, last.upstream))?.jobName ?? '',
            last.at,
          ),
        });
        for (const e of ends)
          if (create.time < e.at) early.push(`${name} before ${objectName(c, e.upstream)}`);
        const model = objects.get(name)?.modelName;
        if (model !== undefined) {
          const createModel = firstCall('CreateModel', model);
          if (createModel) modelCreateMs.push(createModel.time - last.at);
        }
        callsWhileWaiting += log.filter(
          (call) =>
            call.time < create.time &&
            (call.resource === jobName || (model !== undefined && call.resource === model)),
        ).length;
      }

    if (early.length > 0) console.log(`created before an upstream completed: ${early.join(', ')}`);
    // One chain as SageMaker saw it: every call about its resources, and each job's end.
    const first = new Map<string, string>();
    for (const step of STEP_NAMES) {
      const names = objects.get(objectName(0, step));
      if (names) first.set(names.jobName, step);
      if (names?.modelName !== undefined) first.set(names.modelName, `${step}'s model`);
    }
    const ends = STEP_NAMES.map((step) => endedAt.get(objectName(0, step)) ?? NaN);
    const trace = [
      ...log.flatMap((call) => {
        const step = call.resource === undefined ? undefined : first.get(call.resource);
        if (step !== undefined) return [{ at: call.time, what: `${call.operation} ${step}` }];
        // The sweeps that could have found one of its jobs' ends: the List calls in the second after.
        const sweep =
          call.operation.startsWith('List') && ends.some((end) => call.time >= end && call.time < end + 1000);
        return sweep ? [{ at: call.time, what: call.operation }] : [];
      }),
      ...STEP_NAMES.map((step) => ({ at: endedAt.get(objectName(0, step)) ?? NaN, what: `END ${step}` })),
    ].sort((a, b) => a.at - b.at);
    const start = trace[0]?.at ?? 0;
    console.log(
      `calls about chain ${chainName(0)} (and the List calls in the second after each end), in real seconds after its first:\n  ` +
        trace.map((t) => `${((t.at - start) / 1000).toFixed(2)} ${t.what}`).join(' · '),
    );

    // Push: how long SQS delivery took, and whether the event's change time is the job's end time.
    const eventDeliveryMs: number[] = [];
    let eventTimeOffsetMs = 0;
    if (mode === 'push')
      for (const [name, { jobName }] of objects) {
        const event = completions.get(jobName);
        const ended = endedAt.get(name);
        if (!event || ended === undefined) continue;
        if (event.sentAt !== undefined) eventDeliveryMs.push(event.sentAt - ended);
        eventTimeOffsetMs = Math.max(eventTimeOffsetMs, Math.abs(event.changedAt - ended));
      }

    // The slowest readers, step by step, in real seconds after the upstream's end.
    const slowest = [...latencies].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST);
    if (slowest.length > 0)
      console.log(`the ${slowest.length} slowest readers, real s after their last upstream's end:`);
    for (const l of slowest) {
      const upstream = objects.get(objectName(l.chain, l.upstream));
      const reader = objects.get(objectName(l.chain, l.reader));
      const ended = endedAt.get(objectName(l.chain, l.upstream)) ?? NaN;
      const seen = ended + l.detectedMs;
      const after = (at: number | undefined): string =>
        at === undefined ? '–' : ((at - ended) / 1000).toFixed(2);
      const upstreamCall = log.find((c) => c.time >= ended && c.resource === upstream?.jobName);
      const readerCall = log.find(
        (c) => c.time >= seen && (c.resource === reader?.jobName || c.resource === reader?.modelName),
      );
      const sent = completions.get(upstream?.jobName ?? '')?.sentAt;
      console.log(
        `  ${objectName(l.chain, l.reader)} ← ${l.upstream}: ` +
          (mode === 'push' ? `event sent ${after(sent)} · ` : '') +
          `${upstreamCall?.operation ?? 'no call'} of ${l.upstream} ${after(upstreamCall?.time)} · status Completed seen ${after(seen)} · ` +
          `${readerCall?.operation ?? 'no call'} of ${l.reader} ${after(readerCall?.time)} · created ${after(ended + l.ms)}`,
      );
    }

    return {
      mode,
      flags: operatorFlagsSummary(SCALE, WORKERS, mode === 'push'),
      completedMs,
      latencies,
      modelCreateMs,
      early,
      callsWhileWaiting,
      calls: counts,
      operatorCalls: after.aws - before.aws,
      k8sWrites: {
        status: after.status - before.status,
        finalizer: after.finalizer - before.finalizer,
        event: after.event - before.event,
      },
      apiserverWrites: {
        objects:
          kinds.reduce(
            (n, kind) => n + apiserverWritesBetween(apiserverBefore, apiserverAfter, KINDS[kind].plural),
            0,
          ) - total,
        events: apiserverWritesBetween(apiserverBefore, apiserverAfter, 'events'),
      },
      reconciles: after.reconciles - before.reconciles,
      operatorCpuS,
      load,
      eventDeliveryMs,
      eventTimeOffsetMs,
      startMs: Array.from(
        { length: CHAINS },
        (_, c) =>
          (firstCall('CreateProcessingJob', objects.get(objectName(c, 'preprocess'))?.jobName)?.time ?? NaN) -
          appliedAt,
      ),
      apiserverWriteMs: apiserverWriteMeanMs(apiserverBefore, apiserverAfter, [
        ...kinds.map((kind) => KINDS[kind].plural),
        'events',
      ]),
      s3Calls: after.s3 - before.s3,
      conflicts:
        conflictsIn(
          apiserverAfter,
          kinds.map((kind) => KINDS[kind].plural),
        ) -
        conflictsIn(
          apiserverBefore,
          kinds.map((kind) => KINDS[kind].plural),
        ),
      means: {
        reconcileMs: meanBetween(runBefore, runAfter, 'controller_runtime_reconcile_time_seconds'),
        sageMakerMs: meanBetween(runBefore, runAfter, 'aws_api_request_duration_seconds', SAGEMAKER_CALLS),
        queueWaitMs: meanBetween(runBefore, runAfter, 'workqueue_queue_duration_seconds'),
      },
    };
  } finally {
    await stopAll(rig);
  }
}

/** Mean of a Prometheus histogram between two scrapes, in milliseconds. */
function meanBetween(before: string, after: string, name: string, ...fragments: string[]): number {
  const count =
    metricSum(after, `${name}_count`, ...fragments) - metricSum(before, `${name}_count`, ...fragments);
  const sum = metricSum(after, `${name}_sum`, ...fragments) - metricSum(before, `${name}_sum`, ...fragments);
  return count > 0 ? (sum / count) * 1000 : NaN;
}

/** Requests for `resources` the apiserver answered 409 Conflict, from its metrics. */
function conflictsIn(metrics: string, resources: string[]): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith('apiserver_request_total{') && l.includes('code="409"'))
    .filter((l) => resources.some((r) => l.includes(`resource="${r}"`)))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/** Mean latency of the apiserver's write requests for `resources` between two scrapes of its metrics. */
function apiserverWriteMeanMs(before: string, after: string, resources: string[]): number {
  const total = (text: string, suffix: string): number =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`apiserver_request_duration_seconds_${suffix}{`))
      .filter((l) => resources.some((r) => l.includes(`resource="${r}"`)))
      .filter((l) => /verb="(POST|PUT|PATCH|APPLY)"/.test(l))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
  const count = total(after, 'count') - total(before, 'count');
  return count > 0 ? ((total(after, 'sum') - total(before, 'sum')) / count) * 1000 : NaN;
}

/** Epoch milliseconds when a job ended in SageMaker (its status changed to Completed). */
async function endTime(sagemaker: SageMakerClient, kind: Kind, jobName: string): Promise<number> {
  const ended = (date: Date | undefined): number => {
    if (!date) throw new Error(`${kind} ${jobName} has no end time`);
    return date.getTime();
  };
  switch (kind) {
    case 'ProcessingJob':
      return ended(
        (await sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: jobName })))
          .ProcessingEndTime,
      );
    case 'TrainingJob':
      return ended(
        (await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }))).TrainingEndTime,
      );
    case 'TransformJob':
      return ended(
        (await sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: jobName })))
          .TransformEndTime,
      );
  }
}

/** Prints the Ready condition of every object that did not complete, to tell why. */
async function explain(rig: { kc: import('@kubernetes/client-node').KubeConfig }): Promise<void> {
  const api = rig.kc.makeApiClient(CustomObjectsApi);
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const { items } = (await api.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NAMESPACE,
      plural: KINDS[kind].plural,
    })) as {
      items: {
        metadata: { name: string };
        status?: Record<string, unknown> & {
          conditions?: { type: string; reason?: string; message?: string }[];
        };
      }[];
    };
    for (const item of items) {
      const value = item.status?.[KINDS[kind].stateField];
      const state = typeof value === 'string' ? value : '(no state)';
      if (state === 'Completed') continue;
      const ready = item.status?.conditions?.find((c) => c.type === 'Ready');
      console.log(
        `  ${kind} ${item.metadata.name}: ${state}, Ready ${ready?.reason ?? '?'}: ${ready?.message ?? ''}${
          typeof item.status?.failureReason === 'string' ? ` (${item.status.failureReason})` : ''
        }`,
      );
    }
  }
}

/** p50 / p95 / max of milliseconds, as one cell: real seconds or SageMaker seconds. */
function spread(ms: number[], unit: 'real' | 'sageMaker'): string {
  if (ms.length === 0) return '–';
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const f = (v: number): string => (unit === 'real' ? (v / 1000).toFixed(2) : toSageMakerS(v).toFixed(1));
  return `${f(at(0.5))} / ${f(at(0.95))} / ${f(at(1))}`;
}

const median = (ms: number[]): number => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? NaN;

const p95 = (ms: number[]): number => {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? NaN;
};

const compiledOperator = compileOperator('chain-bench-build');
const results: ModeResult[] = [];
for (const mode of MODES) results.push(await runMode(mode, compiledOperator));

const edges = CHAINS * EDGES.length;
const jobs = CHAINS * STEP_NAMES.length;
const sweepS = PRODUCTION.sweepS;
const PUSH_TARGET_S = 3;
const target = (r: ModeResult): string =>
  r.mode === 'push'
    ? `p95 ≤ ${PUSH_TARGET_S} real s`
    : `p95 ≤ ${sweepS} SageMaker s (one sweep interval, ${scaledMs(sweepS)} ms real)`;
const met = (r: ModeResult): boolean => {
  const q = p95(r.latencies.map((l) => l.ms));
  return r.mode === 'push' ? q / 1000 <= PUSH_TARGET_S : toSageMakerS(q) <= sweepS;
};
const sumOf = (calls: Record<string, number>, match: (op: string) => boolean): number =>
  Object.entries(calls).reduce((n, [op, v]) => n + (match(op) ? v : 0), 0);
const allCalls = (r: ModeResult): number => sumOf(r.calls, () => true);
const share = (r: ModeResult, prefix: string): string =>
  `${((sumOf(r.calls, (op) => op.startsWith(prefix)) / Math.max(1, allCalls(r))) * 100).toFixed(0)} %`;
const perEdge = (n: number): string => (n / edges).toFixed(2);
const perJob = (n: number): string => (n / jobs).toFixed(2);
const modeName = (r: ModeResult): string => (r.mode === 'push' ? 'push events on' : 'sweeps only');
const writes = (r: ModeResult): number => r.k8sWrites.status + r.k8sWrites.finalizer + r.k8sWrites.event;

const rows: [string, (r: ModeResult) => string, string][] = [
  ['operator flags (scaled production defaults)', (r) => `${r.flags[0]}; ${r.flags[1]}`, ''],
  [
    'apply → every chain Completed',
    (r) =>
      `${(r.completedMs / 1000).toFixed(1)} s real = ${toSageMakerS(r.completedMs).toFixed(0)} SageMaker s`,
    `the chain's own work: ${CHAIN_S} SageMaker s (${STEP_NAMES.map((s) => STEPS[s].lifetimeS).join(' + ')})`,
  ],
  [
    'apply → each chain started, real s (p50 / p95 / max)',
    (r) => spread(r.startMs, 'real'),
    "to each preprocess's CreateProcessingJob: the apply itself, and the first reconcile of every object",
  ],
  [
    'upstream Completed → reader Create, real s (p50 / p95 / max)',
    (r) =>
      spread(
        r.latencies.map((l) => l.ms),
        'real',
      ),
    `all ${CHAINS * READERS.length} readers (4 per chain), from the last upstream job's end time to the reader's Create* in the call log`,
  ],
  [
    '  the same in SageMaker s',
    (r) =>
      spread(
        r.latencies.map((l) => l.ms),
        'sageMaker',
      ),
    `× 1/${SCALE}: an upper bound, unscaled work counts ${(1 / SCALE).toFixed(0)}×`,
  ],
  [
    '  target',
    (r) => `${target(r)}: ${met(r) ? 'met' : 'NOT met'}`,
    'push: delivery and reconciles do not scale',
  ],
  ...EDGES.map(({ upstream, reader, how }): [string, (r: ModeResult) => string, string] => [
    `  ${upstream} → ${reader}, real s`,
    (r) => {
      const edge = r.latencies.filter((l) => l.upstream === upstream && l.reader === reader);
      if (edge.length === 0) return '(never the last upstream)';
      const found = median(edge.map((l) => l.detectedMs));
      const woken = median(edge.map((l) => l.ms - l.detectedMs));
      const by = (['event', 'sweep', 'poll'] as const)
        .map((way) => [way, edge.filter((l) => l.foundBy === way).length] as const)
        .filter(([, n]) => n > 0)
        .map(([way, n]) => `${way} ${n}`)
        .join(', ');
      return `${spread(
        edge.map((l) => l.ms),
        'real',
      )} (${edge.length}; medians: found ${(found / 1000).toFixed(2)} + woken ${(woken / 1000).toFixed(2)}; found by ${by})`;
    },
    how,
  ]),
  [
    '  of which: until the upstream object shows Completed, real s',
    (r) =>
      spread(
        r.latencies.map((l) => l.detectedMs),
        'real',
      ),
    "SageMaker's end time → a watch saw the upstream's status Completed (the operator found the change)",
  ],
  [
    '  what found the upstream completion',
    (r) =>
      (['event', 'sweep', 'poll'] as const)
        .map((by) => `${by} ${r.latencies.filter((l) => l.foundBy === by).length}`)
        .join(' · '),
    "what preceded the operator's first describe of the finished job: its event, a List of its kind, or neither (the job's own poll)",
  ],
  [
    '  of which: until the reader Create, real s',
    (r) =>
      spread(
        r.latencies.map((l) => l.ms - l.detectedMs),
        'real',
      ),
    "the upstream's status → the reader's Create* (the reader woken and created)",
  ],
  [
    '  train → score: CreateModel, real s',
    (r) => spread(r.modelCreateMs, 'real'),
    "the transform reader's first create (its model), before CreateTransformJob",
  ],
  ['readers created before an upstream completed', (r) => String(r.early.length), 'must be 0'],
  [
    'SageMaker calls per edge',
    (r) => perEdge(allCalls(r)),
    `${edges} edges (${EDGES.length} per chain); per job ${results.map((r) => perJob(allCalls(r))).join(' | ')}`,
  ],
  ['  Describe* share', (r) => share(r, 'Describe'), ''],
  ['  List* share', (r) => share(r, 'List'), 'sweeps'],
  ['  Create* share', (r) => share(r, 'Create'), `${jobs} jobs + ${CHAINS} models`],
  [
    '  by operation, per edge',
    (r) =>
      Object.entries(r.calls)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${op} ${perEdge(n)}`)
        .join(' · '),
    '',
  ],
  [
    '  operator count (cross-check)',
    (r) =>
      r.operatorCalls === allCalls(r)
        ? 'same as the call log'
        : `${r.operatorCalls} vs ${allCalls(r)} in the log`,
    '',
  ],
  [
    'calls about a reader before its create, per reader',
    (r) =>
      `${(r.callsWhileWaiting / (CHAINS * READERS.length)).toFixed(1)} (${((r.callsWhileWaiting / Math.max(1, allCalls(r))) * 100).toFixed(0)} % of all calls)`,
    "the look-up before the create is 1 (score: 2, its model too); the rest are not-found describes of the reader's own job, one per wake while it waited",
  ],
  [
    'Kubernetes writes per object',
    (r) => perJob(writes(r)),
    `status · finalizer · events: ${results.map((r) => `${perJob(r.k8sWrites.status)} · ${perJob(r.k8sWrites.finalizer)} · ${perJob(r.k8sWrites.event)}`).join(' | ')}`,
  ],
  [
    '  apiserver count (cross-check)',
    (r) => perJob(r.apiserverWrites.objects + r.apiserverWrites.events),
    `besides the create; objects · events: ${results.map((r) => `${perJob(r.apiserverWrites.objects)} · ${perJob(r.apiserverWrites.events)}`).join(' | ')}`,
  ],
  ['  reconciles per object', (r) => perJob(r.reconciles), ''],
  [
    '  writes answered 409 Conflict',
    (r) => String(r.conflicts),
    'the apiserver metrics: writes of a stale object, each one written again',
  ],
  [
    'mean latency while running (ms)',
    (r) =>
      `reconcile ${r.means.reconcileMs.toFixed(0)} · SageMaker call ${r.means.sageMakerMs.toFixed(0)} · queue wait ${r.means.queueWaitMs.toFixed(0)} · apiserver write ${r.apiserverWriteMs.toFixed(0)}`,
    'operator metrics; apiserver writes of the three kinds (status included) and events, from its metrics',
  ],
  [
    'operator S3 calls per edge',
    (r) => perEdge(r.s3Calls),
    "s3UriFrom resolves from the upstream objects' status: no S3 read is expected",
  ],
  [
    'operator CPU until every chain Completed',
    (r) => `${r.operatorCpuS.toFixed(1)} s (load average ${r.load.toFixed(1)})`,
    `${cpus().length} CPUs; the apiserver, etcd, moto, the emulator and the operator share them`,
  ],
];
if (results.some((r) => r.mode === 'push'))
  rows.push(
    [
      'push: completion → event sent to SQS, real s',
      (r) => (r.mode === 'push' ? spread(r.eventDeliveryMs, 'real') : '–'),
      'p50 / p95 / max; the rest of the push latency is the operator',
    ],
    [
      "push: event's change time − job's end time, at most",
      (r) => (r.mode === 'push' ? `${r.eventTimeOffsetMs} ms` : '–'),
      'cross-check of the completion times: the emulator stamps the event after building its detail',
    ],
  );

const cell = (text: string): string => text.replaceAll('|', '\\|');
console.log(
  `\n${CHAINS} chains of 5 jobs applied at once, time scale ${SCALE} (1 real s = ${(1 / SCALE).toFixed(0)} SageMaker s)\n`,
);
console.log(`| figure | ${results.map(modeName).join(' | ')} | notes |`);
console.log(`|---|${results.map(() => '---').join('|')}|---|`);
for (const [label, value, note] of rows)
  console.log(`| ${cell(label)} | ${results.map((r) => cell(value(r))).join(' | ')} | ${cell(note)} |`);

const summary = results
  .map((r) => {
    const q = p95(r.latencies.map((l) => l.ms));
    return `${modeName(r)} p95 ${(q / 1000).toFixed(2)} s real = ${toSageMakerS(q).toFixed(1)} SageMaker s (${met(r) ? 'meets' : 'misses'} ${target(r)}), ${perEdge(allCalls(r))} calls per edge`;
  })
  .join('; ');
console.log(`\nsummary: ${CHAINS} chains, upstream Completed → reader Create: ${summary}`);
console.log(
  `command: npx tsx test/bench/chain-bench.ts --chains ${CHAINS} --time-scale ${SCALE} --concurrency ${WORKERS} --mode ${values.mode}` +
    (SWEEPS ? '' : ' (BENCH_SWEEPS=off)'),
);

import { setTimeout as sleep } from 'node:timers/promises';
import { EventsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { AwsClients } from '../../../src/aws/clients.js';
import { classifyError } from '../../../src/controllers/common/errors.js';
import { SPEC_CHANGE_REASONS, TERMINAL_REASONS } from '../../../src/controllers/common/reasons.js';
import type { PushChannel } from '../../../src/controllers/common/pushed-changes.js';
import { sageMakerControllers, type OperatorTimings } from '../../../src/controllers/index.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { currentLane, RuntimeMetrics, startOperator, type Operator } from '../../../src/runtime/index.js';
import { startHarness, type Harness } from '../../emulator/test-harness.js';
import { createTestNamespace, customObjects, s3Endpoint, testKubeConfig } from './cluster.js';
import { asOperatorServiceAccount } from './operator-identity.js';

export const REGION = 'us-east-1';
export const CLUSTER_NAME = 'rig';
/*
 * SageMaker time runs 1,000 times faster: every lifecycle phase lasts 100 SageMaker seconds (100 ms),
 * while an hour of maxRuntimeInSeconds lasts 3.6 s, so jobs finish long before their limits.
 */
const TIME_SCALE = 0.001;
export const PHASE_SECONDS = 100;
const PHASES = [
  'trainingStarting',
  'trainingDownloading',
  'trainingTraining',
  'trainingUploading',
  'trainingStopping',
  'trainingDeleting',
  'endpointCreating',
  'endpointUpdating',
  'endpointRollingBack',
  'endpointDeleting',
] as const;

/**
 * SageMaker is no kinder here than in the cloud: a new resource is invisible to describes for 50
 * SageMaker seconds, and every create lands 20 SageMaker seconds after it was sent.
 */
export const CLOUD_CONSISTENCY = { describeAfterCreate: 50, createDelay: 20 };

/** How long a stopping operator lets in-flight reconciles finish before it abandons them. */
export const SHUTDOWN_TIMEOUT_MS = 1_000;

/** The retry delay for quota and access errors (minutes in production). */
export const SLOW_RETRY_MS = 2_000;

/**
 * Polling and sweeps fitted to the emulator's scaled time; resources at rest are left to the sweeps
 * (the safety describe is a day away), as in production.
 */
export const TEST_TIMINGS: OperatorTimings = {
  pollIntervalMinMs: 50,
  pollIntervalMaxMs: 400,
  driftIntervalMs: 600_000,
  sweepIntervalMs: 100,
  safetyIntervalMs: 86_400_000,
  monitoringHourMs: 3_600_000 * TIME_SCALE,
  // Long enough for a test to see an old artifact still there once the new one is in place.
  multiModelRetireGraceMs: 2_000,
  multiModelCopyConcurrency: 8,
};

export interface KubeObjectOf<S, T> {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string; generation: number; finalizers?: string[] };
  spec: S;
  status?: T;
}

/**
 * The operator in-process against the rig's apiserver and a private emulator, watching one fresh
 * namespace: what a user gets from `npm run local`, in a test.
 */
export class OperatorHarness {
  operator: Operator | undefined;
  /** --require-namespace-role for the next startOperator. */
  requireNamespaceRole = false;
  /** --max-api-rate, --concurrency and timings for the next startOperator (tests of contention). */
  limits: { maxApiRate?: number; concurrency?: number; timings?: Partial<OperatorTimings> } = {};
  /** Namespaces watched besides `namespace` (addNamespace). */
  private readonly otherNamespaces: string[] = [];

  private aws: AwsClients;

  private constructor(
    readonly kc: KubeConfig,
    readonly namespace: string,
    readonly cloud: Harness,
  ) {
    this.aws = newAwsClients(cloud.emulator.endpoint, this.limits.maxApiRate);
  }

  static async start(prefix: string): Promise<OperatorHarness> {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    const kc = testKubeConfig();
    const cloud = await startHarness();
    await cloud.emulator.control.setTimeScale(TIME_SCALE);
    await cloud.emulator.control.configure({
      timings: Object.fromEntries(PHASES.map((phase) => [phase, PHASE_SECONDS])),
      consistency: CLOUD_CONSISTENCY,
    });
    const harness = new OperatorHarness(kc, await createTestNamespace(kc, prefix), cloud);
    await harness.startOperator();
    return harness;
  }

  /** The SageMaker client the operator uses (for adding fault-injecting middleware in tests). */
  get operatorAws(): AwsClients {
    return this.aws;
  }

  /**
   * `operatorKubeConfig`: how the operator reaches the apiserver (e.g. through a proxy that fails);
   * either way it acts as the chart's ServiceAccount, with the chart's RBAC.
   * `push`: SageMaker's state-change events (e.g. a StateChangeQueue); without it, sweeps alone.
   */
  async startOperator(
    driftIntervalMs = TEST_TIMINGS.driftIntervalMs,
    operatorKubeConfig = this.kc,
    push?: PushChannel,
  ): Promise<void> {
    const { controllers, resyncIntervalMs } = sageMakerControllers(
      {
        aws: this.aws,
        defaultRegion: REGION,
        clusterName: CLUSTER_NAME,
        requireNamespaceRole: this.requireNamespaceRole,
      },
      { ...TEST_TIMINGS, ...this.limits.timings, driftIntervalMs },
      push,
    );
    this.operator = await startOperator({
      name: 'sagemaker-operator',
      controllers,
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      kubeConfig: asOperatorServiceAccount(operatorKubeConfig),
      namespaces: [this.namespace, ...this.otherNamespaces],
      metricsAddr: '0',
      healthAddr: '0',
      classifier: classifyError,
      specChangeReasons: SPEC_CHANGE_REASONS,
      terminalReasons: TERMINAL_REASONS,
      driftIntervalMs: resyncIntervalMs,
      metrics: new RuntimeMetrics(),
      timings: { pollIntervalMs: TEST_TIMINGS.pollIntervalMaxMs, slowRetryMs: SLOW_RETRY_MS },
      shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
      ...(this.limits.concurrency ? { concurrency: this.limits.concurrency } : {}),
    });
    await this.operator.waitForSync();
  }

  /** Another fresh namespace the operator watches from now on (it restarts to watch it). */
  async addNamespace(prefix: string, annotations: Record<string, string> = {}): Promise<string> {
    const namespace = await createTestNamespace(this.kc, prefix, annotations);
    this.otherNamespaces.push(namespace);
    await this.restartOperator();
    return namespace;
  }

  /** A stop as a crash would leave things, then a start with the harness's current settings. */
  async restartOperator(): Promise<void> {
    await this.stopOperator();
    await this.startOperator();
  }

  /** Stops the operator as a crash would leave things: no cleanup of cloud or Kubernetes state. */
  async stopOperator(): Promise<void> {
    await this.operator?.stop();
    this.operator = undefined;
    this.aws.destroy();
    this.aws = newAwsClients(this.cloud.emulator.endpoint, this.limits.maxApiRate);
  }

  async create(plural: string, kind: string, name: string, spec: object): Promise<void> {
    await customObjects(this.kc).createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace: this.namespace }, spec },
    });
  }

  async get<S, T>(plural: string, name: string): Promise<KubeObjectOf<S, T> | undefined> {
    try {
      return (await customObjects(this.kc).getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural,
        name,
      })) as KubeObjectOf<S, T>;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async patchSpec(plural: string, name: string, spec: Record<string, unknown>): Promise<void> {
    await customObjects(this.kc).patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: this.namespace, plural, name, body: { spec } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  async delete(plural: string, name: string): Promise<void> {
    await customObjects(this.kc).deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural,
      name,
    });
  }

  /** Polls the object until `check` holds; fails with the last state seen. */
  async waitFor<S, T>(
    plural: string,
    name: string,
    check: (obj: KubeObjectOf<S, T> | undefined) => boolean,
    timeoutMs = 30_000,
  ): Promise<KubeObjectOf<S, T> | undefined> {
    const deadline = Date.now() + timeoutMs;
    let last: KubeObjectOf<S, T> | undefined;
    while (Date.now() < deadline) {
      last = await this.get<S, T>(plural, name);
      if (check(last)) return last;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${plural}/${name}; last seen:\n${JSON.stringify(last, null, 2)}`);
  }

  async stop(): Promise<void> {
    await this.operator?.stop();
    this.aws.destroy();
    await this.cloud.stop();
  }
}

function newAwsClients(sagemakerEndpoint: string, maxApiRate = 1000): AwsClients {
  return new AwsClients({
    defaultRegion: REGION,
    maxApiRate,
    registry: new RuntimeMetrics().registry,
    sagemakerEndpoint,
    s3Endpoint: s3Endpoint(),
    stsEndpoint: s3Endpoint(),
    callPriority: currentLane,
  });
}

export function condition(
  obj:
    | { status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } }
    | undefined,
  type: string,
): { status: string; reason: string; message: string } | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** The events.k8s.io events the operator recorded about one object. */
export async function eventsAbout(
  h: OperatorHarness,
  name: string,
): Promise<{ reason: string; note: string; type: string; count: number }[]> {
  const list = await h.kc.makeApiClient(EventsV1Api).listNamespacedEvent({
    namespace: h.namespace,
    fieldSelector: `regarding.name=${name}`,
  });
  return list.items.map((e) => ({
    reason: e.reason ?? '',
    note: e.note ?? '',
    type: e.type ?? '',
    count: e.series?.count ?? 1,
  }));
}

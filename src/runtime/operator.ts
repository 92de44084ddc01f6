import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Cache } from './cache.js';
import type { CacheOptions } from './cache.js';
import { sharedConnections } from './connections.js';
import { Controller } from './controller.js';
import type { Classifier } from './errors.js';
import { EventRecorder } from './events.js';
import { ActingFence } from './fence.js';
import { serveHealth, serveMetrics } from './http.js';
import { LeaderElector } from './leader.js';
import { RuntimeMetrics } from './metrics.js';
import { DEFAULT_TIMINGS } from './policy.js';
import type { PolicyTimings } from './policy.js';
import type { ControllerDefinition, DeletionPolicy } from './reconciler.js';

export interface LeaderElectionConfig {
  readonly namespace: string;
  /** Lease name. */
  readonly name: string;
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface OperatorOptions {
  // Method-style parameters keep definitions of specific object types assignable here.
  readonly controllers: readonly ControllerDefinition<never, never>[];
  readonly log: Logger;
  /** Default: KubeConfig.loadFromDefault() ($KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeConfig?: KubeConfig;
  /** Names the field manager and the events' reportingController. */
  readonly name?: string;
  readonly namespaces?: readonly string[];
  readonly labelSelector?: string;
  readonly concurrency?: number;
  readonly driftIntervalMs?: number;
  readonly defaultDeletionPolicy?: DeletionPolicy;
  /** Omit to run without leader election (a single replica). */
  readonly leaderElection?: LeaderElectionConfig;
  /** `[host]:port`, `0` to disable. */
  readonly metricsAddr?: string;
  readonly healthAddr?: string;
  readonly shutdownTimeoutMs?: number;
  /** A reconcile running longer is abandoned (its signal fires) and retried with backoff. Default 5 min. */
  readonly reconcileTimeoutMs?: number;
  readonly classifier?: Classifier;
  /**
   * Synced=False reasons that wait for a new generation: an object whose current
   * generation ended with one is not reconciled again until its spec changes or an object it
   * refers to changes.
   */
  readonly specChangeReasons?: ReadonlySet<string>;
  /**
   * Ready=False and Synced=False reasons after which the resource cannot reach its spec without a
   * change: with them, or Succeeded=False, the loop writes Stalled=True (kstatus reads it as Failed).
   */
  readonly terminalReasons?: ReadonlySet<string>;
  /**
   * Pass one to fence other side effects (cloud calls) on this replica's leadership too: it allows
   * acting only while the lease is valid, judged at the moment of each call.
   */
  readonly fence?: ActingFence;
  /** Pass one to add other metrics (e.g. AWS calls) to the same /metrics. */
  readonly metrics?: RuntimeMetrics;
  readonly timings?: Partial<PolicyTimings>;
  readonly informer?: CacheOptions['informer'];
}

export interface Operator {
  readonly metricsAddress: string | undefined;
  readonly healthAddress: string | undefined;
  readonly identity: string;
  readonly metrics: RuntimeMetrics;
  ready(): boolean;
  isLeader(): boolean;
  waitForSync(): Promise<void>;
  /** Graceful shutdown: stop taking work, finish in-flight reconciles up to the deadline, release the lease. */
  stop(): Promise<void>;
}

/** Starts caches, controllers (when leading), leader election and the HTTP endpoints. */
export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const log = options.log;
  const name = options.name ?? 'operator';
  const watchKc = options.kubeConfig ?? loadDefaultKubeConfig();
  const kc = sharedConnections(watchKc);
  const metrics = options.metrics ?? new RuntimeMetrics();
  const identity = options.leaderElection?.identity ?? `${hostname()}_${randomUUID()}`;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
  const fence = options.fence ?? new ActingFence();
  if (!options.leaderElection) fence.actAlone();

  const cache = new Cache({
    kc: watchKc,
    log: log.child({ component: 'cache' }),
    observer: (kind) => metrics.informer(kind),
    ...(options.namespaces ? { namespaces: options.namespaces } : {}),
    ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
    ...(options.informer ? { informer: options.informer } : {}),
  });
  const events = new EventRecorder({
    kc,
    reportingController: name,
    reportingInstance: identity,
    log,
    onWrite: (kind) => {
      metrics.wrote(kind, 'event');
    },
  });
  const controllers = options.controllers.map(
    (definition) =>
      new Controller(definition as unknown as ControllerDefinition, {
        kc,
        cache,
        events,
        metrics,
        log,
        classifier: options.classifier,
        concurrency: options.concurrency ?? 4,
        driftIntervalMs: options.driftIntervalMs ?? 600_000,
        defaultDeletionPolicy: options.defaultDeletionPolicy ?? 'Delete',
        fieldManager: name,
        timings: { ...DEFAULT_TIMINGS, ...options.timings },
        fence,
        reconcileTimeoutMs: options.reconcileTimeoutMs ?? 300_000,
        specChangeReasons: options.specChangeReasons ?? new Set(),
        terminalReasons: options.terminalReasons ?? new Set(),
      }),
  );

  const metricsEndpoint = await serveMetrics(options.metricsAddr ?? ':8080', metrics.registry);
  const healthEndpoint = await serveHealth(options.healthAddr ?? ':8081', () => cache.hasSynced());
  cache.start();

  // Leadership changes and shutdown run one after another, never interleaved.
  let transitions = Promise.resolve();
  let stopping = false;
  let markStopping: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (markStopping = resolve));
  const serially = (step: () => Promise<void>): Promise<void> => (transitions = transitions.then(step, step));
  const startControllers = (): Promise<void> =>
    serially(async () => {
      await Promise.race([cache.waitForSync(), stopRequested]);
      if (stopping || (elector && !elector.isLeader)) return;
      for (const controller of controllers) controller.start();
      log.info({ controllers: controllers.map((c) => c.name) }, 'controllers started');
    });
  const stopControllers = (graceMs: number): Promise<void> =>
    serially(async () => {
      await Promise.all(controllers.map((controller) => controller.stop(graceMs)));
    });

  const lease = options.leaderElection;
  const elector = lease
    ? new LeaderElector({
        kc,
        namespace: lease.namespace,
        name: lease.name,
        identity,
        log: log.child({ component: 'leader-election' }),
        fence,
        ...(lease.leaseDurationMs ? { leaseDurationMs: lease.leaseDurationMs } : {}),
        ...(lease.renewDeadlineMs ? { renewDeadlineMs: lease.renewDeadlineMs } : {}),
        ...(lease.retryPeriodMs ? { retryPeriodMs: lease.retryPeriodMs } : {}),
        onStartedLeading: () => {
          metrics.leading(lease.name, true);
          void startControllers();
        },
        // Losing the lease stops work at once; on shutdown the controllers have already drained.
        onStoppedLeading: async () => {
          metrics.leading(lease.name, false);
          await stopControllers(0);
        },
      })
    : undefined;
  if (lease) metrics.leading(lease.name, false);
  if (elector) elector.start();
  else void startControllers();

  return {
    metricsAddress: metricsEndpoint?.address,
    healthAddress: healthEndpoint?.address,
    identity,
    metrics,
    ready: () => cache.hasSynced(),
    isLeader: () => elector?.isLeader ?? true,
    waitForSync: () => cache.waitForSync(),
    async stop() {
      if (stopping) return;
      stopping = true;
      markStopping();
      log.info({ shutdownTimeoutMs }, 'shutting down');
      await stopControllers(shutdownTimeoutMs);
      fence.revoke();
      await events.flush();
      await elector?.stop();
      await cache.stop();
      await Promise.all([metricsEndpoint?.close(), healthEndpoint?.close()]);
      log.info('stopped');
    },
  };
}

function loadDefaultKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

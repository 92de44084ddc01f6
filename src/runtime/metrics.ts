import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InformerObserver } from './informer.js';
import type { KindDescriptor } from './kinds.js';
import type { QueueObserver } from './queue.js';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export type ReconcileOutcome = 'success' | 'error' | 'requeue_after';

/**
 * The operator's metrics, named and labelled as controller-runtime does so existing dashboards and
 * alerts apply. One registry per operator instance (tests run several in one process).
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  private readonly reconcileTotal;
  private readonly reconcileErrors;
  private readonly terminalErrors;
  private readonly reconcileTime;
  private readonly activeWorkers;
  private readonly maxConcurrent;
  private readonly depth;
  private readonly adds;
  private readonly retries;
  private readonly queueDuration;
  private readonly workDuration;
  private readonly leader;
  private readonly watchRestarts;
  private readonly listDuration;
  private readonly kubeWrites;
  private readonly inFlight = new Map<string, () => Map<string, number>>();

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.terminalErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers,
    });
    this.adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: ['name'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    const inFlight = this.inFlight;
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, held] of inFlight)
          this.set({ name }, [...held().values()].reduce((a, b) => a + b, 0) / 1000);
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, held] of inFlight) this.set({ name }, Math.max(0, ...held().values()) / 1000);
      },
    });
    this.leader = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers,
    });
    this.watchRestarts = new Counter({
      name: 'operator_watch_restarts_total',
      help: 'Watch streams ended and restarted, by kind and reason (expired, closed, stalled, error, listError)',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.listDuration = new Histogram({
      name: 'operator_list_duration_seconds',
      help: 'Time to list all objects of a kind (all pages)',
      labelNames: ['kind'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.kubeWrites = new Counter({
      name: 'operator_kubernetes_writes_total',
      help: 'Writes to the Kubernetes API by the controllers, by kind and what was written',
      labelNames: ['kind', 'write'],
      registers,
    });
  }

  queue(name: string, inFlight: () => Map<string, number>): QueueObserver {
    this.inFlight.set(name, inFlight);
    const labels = { name };
    return {
      added: () => {
        this.adds.inc(labels);
      },
      retried: () => {
        this.retries.inc(labels);
      },
      depth: (n) => {
        this.depth.set(labels, n);
      },
      queued: (s) => {
        this.queueDuration.observe(labels, s);
      },
      worked: (s) => {
        this.workDuration.observe(labels, s);
      },
    };
  }

  informer(kind: KindDescriptor): InformerObserver {
    return {
      listed: (_objects, seconds) => {
        this.listDuration.observe({ kind: kind.kind }, seconds);
      },
      restarted: (reason) => {
        this.watchRestarts.inc({ kind: kind.kind, reason });
      },
    };
  }

  workers(controller: string, max: number): { busy(n: number): void } {
    this.maxConcurrent.set({ controller }, max);
    this.activeWorkers.set({ controller }, 0);
    return {
      busy: (n) => {
        this.activeWorkers.set({ controller }, n);
      },
    };
  }

  reconciled(controller: string, outcome: ReconcileOutcome, seconds: number, terminal: boolean): void {
    this.reconcileTotal.inc({ controller, result: outcome });
    this.reconcileTime.observe({ controller }, seconds);
    if (outcome === 'error') this.reconcileErrors.inc({ controller });
    if (terminal) this.terminalErrors.inc({ controller });
  }

  wrote(kind: string, write: 'status' | 'finalizer' | 'event'): void {
    this.kubeWrites.inc({ kind, write });
  }

  leading(name: string, isLeader: boolean): void {
    this.leader.set({ name }, isLeader ? 1 : 0);
  }
}

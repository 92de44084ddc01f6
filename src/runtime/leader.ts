import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isConflictError, isNotFoundError } from './api-errors.js';
import type { ActingFence } from './fence.js';

export interface LeaderElectionOptions {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly log: Logger;
  /** Opened by each successful acquire or renewal, for the renew deadline; revoked when leadership ends. */
  readonly fence: ActingFence;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly onStartedLeading: () => void;
  /** Called at once when leadership is lost or given up; the replica must stop acting. */
  readonly onStoppedLeading: () => void | Promise<void>;
}

/** Timings of client-go and controller-runtime: 15 s lease, 10 s renew deadline, 2 s retry. */
const DEFAULTS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const JITTER = 1.2;

function millis(time: unknown): number | undefined {
  if (time instanceof Date) return time.getTime();
  if (typeof time === 'string') return Date.parse(time);
  return undefined;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease with client-go semantics. Expiry is judged on
 * the local clock (how long the record has not changed), never by comparing clocks across replicas.
 * Leadership ends as soon as a renewal is refused or another holder shows up, or when renewals keep
 * failing past the renew deadline; on stop the lease is released so a standby takes over at its next
 * retry instead of waiting for the lease to expire.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly timing: typeof DEFAULTS;
  private readonly stopController = new AbortController();
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.api = options.kc.makeApiClient(CoordinationV1Api);
    this.timing = {
      leaseDurationMs: options.leaseDurationMs ?? DEFAULTS.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? DEFAULTS.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? DEFAULTS.retryPeriodMs,
    };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.timing;
    if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > JITTER * retryPeriodMs)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > 1.2 × retryPeriod');
    }
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops campaigning; a leader stops leading first and then releases the lease. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  private isStopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopController.signal }).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.timing;
    const { fence } = this.options;
    while (!this.isStopped()) {
      const acquireSent = fence.time();
      if (!(await this.attempt('acquire'))) {
        await this.pause(retryPeriodMs * (1 + Math.random() * (JITTER - 1)));
        continue;
      }
      fence.renewed(acquireSent, renewDeadlineMs);
      this.leading = true;
      this.options.log.info({ lease: this.options.name, identity: this.options.identity }, 'became leader');
      this.options.onStartedLeading();
      let renewedAt = acquireSent;
      let lost = false;
      while (!this.isStopped() && !lost) {
        await this.pause(retryPeriodMs);
        if (this.isStopped()) break;
        const renewSent = fence.time();
        const outcome = await this.attempt('renew', renewDeadlineMs - (fence.time() - renewedAt));
        if (outcome === true) {
          renewedAt = renewSent;
          fence.renewed(renewSent, renewDeadlineMs);
        } else if (outcome === 'taken' || fence.time() - renewedAt > renewDeadlineMs) lost = true;
      }
      fence.revoke();
      this.leading = false;
      if (lost)
        this.options.log.error({ lease: this.options.name }, 'lost leadership, stopping all controllers');
      await this.options.onStoppedLeading();
      if (this.isStopped()) await this.release();
    }
  }

  /** true: we hold the lease now; false: not this time; 'taken': someone else holds it (while we led). */
  private async attempt(
    purpose: 'acquire' | 'renew',
    timeoutMs = this.timing.renewDeadlineMs,
  ): Promise<boolean | 'taken'> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.tryAcquireOrRenew(purpose),
        new Promise<false>(
          (resolve) =>
            (timer = setTimeout(
              () => {
                resolve(false);
              },
              Math.max(timeoutMs, 0),
            )),
        ),
      ]);
    } catch (err) {
      this.options.log.warn({ err, purpose }, 'lease update failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async tryAcquireOrRenew(purpose: 'acquire' | 'renew'): Promise<boolean | 'taken'> {
    const { namespace, name, identity } = this.options;
    const now = new V1MicroTime();
    const durationSeconds = Math.round(this.timing.leaseDurationMs / 1000);
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isNotFoundError(err) || purpose === 'renew') throw err;
      await this.api.createNamespacedLease({
        namespace,
        body: {
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = `${holder}|${String(millis(spec.renewTime))}|${spec.leaseDurationSeconds ?? ''}`;
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const heldByOther = holder !== '' && holder !== identity;
    const expired = this.observed.at + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 < Date.now();
    if (heldByOther && (purpose === 'renew' || !expired)) return purpose === 'renew' ? 'taken' : false;

    const mine = holder === identity;
    const acquireTime =
      mine && spec.acquireTime ? new V1MicroTime(millis(spec.acquireTime) ?? now.getTime()) : now;
    try {
      await this.api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime,
            renewTime: now,
            leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
          },
        },
      });
      return true;
    } catch (err) {
      if (isConflictError(err)) return purpose === 'renew' ? 'taken' : false;
      throw err;
    }
  }

  /** Gives the lease up (client-go's ReleaseOnCancel): empty holder, 1 s duration. */
  private async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    try {
      const lease = await this.api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = new V1MicroTime();
      await this.api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion },
          spec: {
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: lease.spec.leaseTransitions ?? 0,
          },
        },
      });
      this.options.log.info({ lease: name }, 'released leadership');
    } catch (err) {
      this.options.log.warn({ err }, 'could not release the lease; the standby takes over when it expires');
    }
  }
}

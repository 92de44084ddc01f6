import type { AwsScope } from '../../aws/identity.js';
import type { ManagedObject } from '../../crds/kind.js';
import type { ChangeSource } from '../../runtime/index.js';
import type { ChangeListing } from './change-listing.js';
import { KindSweeps, type ChangeDetectionSettings, type SweepsShared } from './kind-sweeps.js';
import type { ManagedKindOptions, ManagedResourceOptions } from './managed-resource.js';
import type { PollingSettings } from './polling.js';
import { PushCoverage, type ChangeReceiver, type PushChannel } from './pushed-changes.js';

/*
 * What a kind's controller is made with to notice changes: its sweeps and the pushed events, one
 * import away. The parts: change-listing.ts (a kind's List call), kind-sweeps.ts (the sweeps),
 * pushed-changes.ts (the pushed events and where they cover the sweeps).
 */
export { listedPage, modifiedAfter, type ChangeListing } from './change-listing.js';
export type { KindSweeps } from './kind-sweeps.js';

/** What every kind's controller is made with. */
export interface KindControllerOptions extends ManagedResourceOptions {
  readonly polling: PollingSettings;
  /** Sweeps and pushed events; without it, changes are noticed by describes alone. */
  readonly changeDetection?: ChangeDetection;
}

/** A kind's change sources: its sweeps, when change detection is on. */
export function changeSourcesOf<O extends ManagedObject>(
  options: KindControllerOptions,
  kind: ChangeListing,
): ChangeSource<O>[] {
  return options.changeDetection ? [options.changeDetection.sweepsOf<O>(kind)] : [];
}

/**
 * Change detection for every kind (docs/architecture.md): each kind's controller runs its sweeps as a
 * change source, and SageMaker's pushed events reach the object they name.
 */
export class ChangeDetection implements SweepsShared {
  private readonly kinds = new Map<string, ChangeReceiver>();
  private running = 0;
  private pushAbort: AbortController | undefined;
  private pushRun: Promise<void> = Promise.resolve();
  private readonly coverage: PushCoverage;

  constructor(
    readonly options: ManagedKindOptions,
    readonly settings: ChangeDetectionSettings,
    readonly push?: PushChannel,
  ) {
    this.coverage = new PushCoverage(settings.driftIntervalMs);
  }

  /** The sweeps of a kind, for its controller's change sources. */
  sweepsOf<O extends ManagedObject, S = unknown>(kind: ChangeListing<S>): KindSweeps<O, S> {
    const sweeps = new KindSweeps<O, S>(kind, this);
    // Pushed changes name the kind's own resources: they go to its first sweeps.
    if (!this.kinds.has(kind.kind)) this.kinds.set(kind.kind, sweeps);
    return sweeps;
  }

  /** For a kind with sweeps of its own (not `sweepsOf`): where its pushed changes go. */
  receive(kind: string, receiver: ChangeReceiver): void {
    this.kinds.set(kind, receiver);
  }

  /**
   * Each kind's sweeps attach while they run, that is while this replica leads: the push channel is
   * consumed only then, so a standby never takes events off the queue that nobody acts on.
   */
  attach(): void {
    if (this.running++ > 0 || !this.push) return;
    const push = this.push;
    const abort = new AbortController();
    this.pushAbort = abort;
    // A run stopped by the previous detach may still be winding down: the next starts after it.
    this.pushRun = this.pushRun.then(() =>
      push.run((change) => {
        this.coverage.delivered(change.account, change.region, Date.now());
        this.kinds.get(change.resourceType)?.changed(change);
      }, abort.signal),
    );
  }

  /**
   * Whether pushed events stand for the sweeps of an identity and region: the channel works and has
   * delivered an event from its account and region within the last drift interval.
   */
  async pushCovers(scope: AwsScope): Promise<boolean> {
    if (this.push?.healthy() !== true) return false;
    // An account not known yet (STS unreachable) is not covered: its sweeps go on.
    const account = await this.options.aws.accountOf(scope).catch(() => undefined);
    return this.coverage.covers(account, scope.region, Date.now());
  }

  detach(): void {
    if (--this.running > 0) return;
    this.pushAbort?.abort();
    this.pushAbort = undefined;
  }
}

import { scopeKey, type AwsScope } from '../../aws/identity.js';
import type { ManagedObject } from '../../crds/kind.js';
import {
  findCondition,
  pause,
  type ChangeFeed,
  type ChangeSource,
  type Condition,
} from '../../runtime/index.js';
import type { ChangeListing, ListedResource } from './change-listing.js';
import { usableScopeOf } from './identity.js';
import { ListingBackoff } from './listing-backoff.js';
import type { ManagedKindOptions } from './managed-resource.js';
import type { ChangeReceiver, PushedChange } from './pushed-changes.js';

export interface ChangeDetectionSettings {
  /** Sweep period of a kind, identity and region while one of its objects is in transition. */
  readonly sweepIntervalMs: number;
  /** Sweep period otherwise, and while pushed events cover the account and region: the drift interval. */
  readonly driftIntervalMs: number;
  /** How late a change may show in a List after its LastModifiedTime (default a minute). */
  readonly overlapMs?: number;
}

/**
 * What the sweeps of every kind share (ChangeDetection): the settings and clients, and the pushed
 * events that stand in for sweeps where they arrive.
 */
export interface SweepsShared {
  readonly options: ManagedKindOptions;
  readonly settings: ChangeDetectionSettings;
  /** A kind's sweeps start running (this replica leads). */
  attach(): void;
  /** A kind's sweeps stop. */
  detach(): void;
  /** Whether pushed events stand for the sweeps of an identity and region. */
  pushCovers(scope: AwsScope): Promise<boolean>;
}

/*
 * A List call may show a change a little after its LastModifiedTime (eventual consistency), so
 * sweeps look back this far before the newest time seen until they have read that window again this
 * much later; what they see again is skipped. At rest a sweep is then one call that lists nothing.
 */
const OVERLAP_MS = 60_000;
/*
 * Before any change has been seen, a sweep reads back this far on the operator's clock: it covers
 * the clock difference with SageMaker up to this much, and never lists an account's whole history.
 * After that, sweeps only compare SageMaker's times with SageMaker's times.
 */
const FIRST_LOOK_BACK_MS = 3_600_000;
/** How long, at most, the sweeper waits before checking again: the latency a new transition adds. */
const TICK_MS = 1000;

/** What one kind's sweeps remember of one identity and region. */
interface ScopeState {
  lastSweepAt: number;
  /** The newest LastModifiedTime seen, in SageMaker's clock, and when (operator's clock) it was first seen. */
  newestSeen: number | undefined;
  newestSeenAt: number;
  /** When the last sweep that looked back before newestSeen began. */
  windowReadAt: number;
  /** Each resource's LastModifiedTime when last seen, within the overlap. */
  seen: Map<string, number>;
}

/**
 * How often a kind sweeps one identity and region (ms), given its objects there and whether pushed
 * events cover that account and region: every `sweepIntervalMs` while an object is in transition,
 * at the drift interval otherwise and while pushed events cover it (they trigger the objects they
 * name). A kind whose resources change on their own (`expectsChange`) keeps its own rule.
 */
export function sweepInterval(
  settings: Pick<ChangeDetectionSettings, 'sweepIntervalMs' | 'driftIntervalMs'>,
  kind: Pick<ChangeListing, 'expectsChange' | 'activeIntervalMs'>,
  objects: readonly ManagedObject[],
  pushCovered: boolean,
  now: number,
): number {
  const { sweepIntervalMs, driftIntervalMs } = settings;
  if (kind.expectsChange) {
    const active = objects.some((obj) => kind.expectsChange?.(obj, now));
    return active ? Math.max(sweepIntervalMs, kind.activeIntervalMs ?? 0) : driftIntervalMs;
  }
  if (pushCovered) return driftIntervalMs;
  return objects.some(inTransition) ? sweepIntervalMs : driftIntervalMs;
}

/**
 * The sweeps of one kind: per identity and region (each namespace's role sees its own account),
 * one paginated List call of the resources modified since the previous sweep; only those among
 * this kind's objects are reconciled (described), foreign names cost nothing. How often: see
 * sweepInterval; a List that fails waits longer before the next one of its identity and region
 * (ListingBackoff), the others go on. Pushed changes trigger the named object at once. Each object
 * is still described at the safety interval by its own requeue, so correctness never rests on List
 * alone.
 */
export class KindSweeps<O extends ManagedObject, S = unknown> implements ChangeSource<O>, ChangeReceiver {
  readonly name: string;
  private feed: ChangeFeed<O> | undefined;
  private readonly scopes = new Map<string, ScopeState>();
  /**
   * What the last sweep listed of each changed resource the kind manages, by scope and name, until
   * its reconcile takes it.
   */
  private readonly listings = new Map<string, Map<string, ListedResource<S>>>();
  private readonly failures: ListingBackoff;

  constructor(
    private readonly kind: ChangeListing<S>,
    private readonly detection: SweepsShared,
  ) {
    this.name = `${kind.label ?? kind.kind} sweeps`;
    this.failures = new ListingBackoff(detection.settings.driftIntervalMs);
  }

  async run(feed: ChangeFeed<O>): Promise<void> {
    this.feed = feed;
    this.detection.attach();
    try {
      while (!feed.signal.aborted) {
        const nextDueMs = await this.sweepDue(feed);
        await pause(Math.max(0, Math.min(TICK_MS, nextDueMs)), feed.signal);
      }
    } finally {
      this.feed = undefined;
      this.detection.detach();
    }
  }

  /**
   * What the latest sweep listed of the resource `name` in the scope `scope` (its scopeKey) since it
   * was last taken: a reconcile may read the change from it instead of describing.
   */
  takeListing(name: string, scope: string): ListedResource<S> | undefined {
    const listed = this.listings.get(scope);
    const listing = listed?.get(name);
    listed?.delete(name);
    return listing;
  }

  /** A change pushed by SageMaker's events: the object that manages the resource reconciles now. */
  changed(change: PushedChange): void {
    const feed = this.feed;
    if (!feed) return;
    const obj = feed
      .objects()
      .find(
        (o) =>
          this.sageMakerName(o) === change.name &&
          inAccount(o, change.account) &&
          this.scopeOf(o, feed)?.region === change.region,
      );
    if (obj) feed.trigger(obj);
  }

  /** Sweeps the scopes that are due; returns how long until the next one is (ms). */
  private async sweepDue(feed: ChangeFeed<O>): Promise<number> {
    const byScope = new Map<string, { scope: AwsScope; objects: O[] }>();
    for (const obj of feed.objects()) {
      const scope = this.scopeOf(obj, feed);
      if (scope === undefined) continue;
      const key = scopeKey(scope);
      const group = byScope.get(key) ?? { scope, objects: [] };
      group.objects.push(obj);
      byScope.set(key, group);
    }
    const now = Date.now();
    let nextDue = Infinity;
    for (const [key, { scope, objects }] of byScope) {
      const state = this.scopes.get(key) ?? {
        lastSweepAt: -Infinity,
        newestSeen: undefined,
        newestSeenAt: -Infinity,
        windowReadAt: -Infinity,
        seen: new Map(),
      };
      this.scopes.set(key, state);
      const covered = await this.detection.pushCovers(scope);
      const interval = sweepInterval(this.detection.settings, this.kind, objects, covered, now);
      const due = Math.max(state.lastSweepAt + interval, this.failures.retryAt(key));
      if (now < due) {
        nextDue = Math.min(nextDue, due);
        continue;
      }
      state.lastSweepAt = now;
      nextDue = Math.min(nextDue, now + interval);
      try {
        await this.sweep(key, scope, objects, state, feed);
        this.failures.succeeded(key);
      } catch (err) {
        if (feed.signal.aborted) return 0;
        const { failures, retryInMs } = this.failures.failed(key, Date.now());
        // The next sweep reads from the same point: nothing is lost, objects keep their safety describes.
        feed.log.warn(
          { err, region: scope.region, role: scope.roleArn, failures, retryInMs },
          'sweep failed; the next one starts from the same point',
        );
      }
    }
    // An identity and region with no objects left: nothing of it is kept (a reconcile would take nothing).
    for (const key of this.scopes.keys()) if (!byScope.has(key)) this.scopes.delete(key);
    for (const key of this.listings.keys()) if (!byScope.has(key)) this.listings.delete(key);
    this.failures.keepOnly((key) => byScope.has(key));
    return nextDue - Date.now();
  }

  private async sweep(
    where: string,
    scope: AwsScope,
    objects: readonly O[],
    state: ScopeState,
    feed: ChangeFeed<O>,
  ): Promise<void> {
    const byName = new Map(objects.map((o) => [this.sageMakerName(o), o]));
    const listed = this.listings.get(where) ?? new Map<string, ListedResource<S>>();
    this.listings.set(where, listed);
    for (const name of listed.keys()) if (!byName.has(name)) listed.delete(name);
    const overlap = this.detection.settings.overlapMs ?? OVERLAP_MS;
    const started = Date.now();
    const settled = state.windowReadAt - state.newestSeenAt >= overlap;
    const after = new Date(
      state.newestSeen === undefined
        ? started - FIRST_LOOK_BACK_MS
        : settled
          ? state.newestSeen
          : state.newestSeen - overlap,
    );
    const sagemaker = this.detection.options.aws.sagemaker(scope);
    let newest = state.newestSeen;
    let nextToken: string | undefined;
    do {
      const page = await this.kind.listModifiedAfter(sagemaker, after, nextToken, {
        abortSignal: feed.signal,
      });
      for (const listing of page.resources) {
        const { name, lastModifiedTime, key = name } = listing;
        const modified = lastModifiedTime?.getTime() ?? 0;
        newest = Math.max(newest ?? modified, modified);
        if (state.seen.get(key) === modified) continue;
        state.seen.set(key, modified);
        const obj = byName.get(name);
        if (!obj) continue;
        listed.set(name, listing);
        feed.trigger(obj);
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    if (!settled) state.windowReadAt = started;
    if (newest !== undefined && newest !== state.newestSeen) {
      state.newestSeen = newest;
      state.newestSeenAt = started;
      for (const [name, modified] of state.seen) if (modified < newest - overlap) state.seen.delete(name);
    }
  }

  private sageMakerName(obj: O): string | undefined {
    const value = (obj.status as Record<string, unknown> | undefined)?.[this.kind.nameField];
    return typeof value === 'string' ? value : undefined;
  }

  private scopeOf(obj: O, feed: ChangeFeed<O>): AwsScope | undefined {
    return usableScopeOf(obj, feed.cache, this.detection.options);
  }
}

/**
 * Whether the operator is still working on the object: SageMaker may change it any moment. Not
 * while it waits for a reference: nothing of it changes in SageMaker meanwhile, and the referenced
 * object's change triggers it.
 */
export function inTransition(obj: ManagedObject): boolean {
  if (obj.metadata.deletionTimestamp) return true;
  const conditions = (obj.status as { conditions?: Condition[] } | undefined)?.conditions;
  const reconciling = findCondition(conditions, 'Reconciling');
  return reconciling?.status !== 'False' && reconciling?.reason !== 'WaitingForReference';
}

/** Whether the object's resources may be in `account`: the one status recorded at its first create, if any. */
export function inAccount(obj: ManagedObject, account: string): boolean {
  const recorded = (obj.status as { accountId?: unknown } | undefined)?.accountId;
  return typeof recorded !== 'string' || recorded === account;
}

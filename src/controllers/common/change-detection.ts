import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { scopeKey, type AwsScope } from '../../aws/identity.js';
import {
  findCondition,
  pause,
  type ChangeFeed,
  type ChangeSource,
  type Condition,
} from '../../runtime/index.js';
import type {
  ManagedKind,
  ManagedKindOptions,
  ManagedObject,
  ManagedResourceOptions,
} from './managed-resource.js';
import { usableScopeOf } from './identity.js';
import type { PollingSettings } from './polling.js';

/** A resource as a List call reports it: enough to tell whether it changed since the last sweep. */
export interface ListedResource<S = unknown> {
  name: string;
  lastModifiedTime: Date | undefined;
  /** The List call's summary of it, which may tell the change without a describe. */
  summary: S;
  /** What is remembered between sweeps when a name lists several resources (a schedule's executions). */
  key?: string;
}

export interface ListedPage<S = unknown> {
  resources: ListedResource<S>[];
  nextToken: string | undefined;
}

/** How a kind finds its resources modified after a time: one page of its List call, 100 at most. */
export interface ChangeListing<S = unknown> extends Omit<ManagedKind, 'arnField'> {
  listModifiedAfter(
    sagemaker: SageMakerClient,
    after: Date,
    nextToken: string | undefined,
    cancel: { abortSignal: AbortSignal },
  ): Promise<ListedPage<S>>;
  /** What the sweeps list, in logs; default: the kind's resources. */
  readonly label?: string;
  /**
   * For resources that change without the operator's doing (a schedule's executions): whether the
   * object expects a change now, which makes its region's sweeps run every `activeIntervalMs`
   * (at least the sweep interval) instead of the transition rule's.
   */
  expectsChange?(obj: ManagedObject, now: number): boolean;
  readonly activeIntervalMs?: number;
}

/** The filter and paging of a sweep's List call: modified after `after`, 100 a page. */
export function modifiedAfter(after: Date, nextToken: string | undefined) {
  return { LastModifiedTimeAfter: after, NextToken: nextToken, MaxResults: 100 };
}

/** A List answer's summaries as a sweep reads them: names and LastModifiedTimes. */
export function listedPage<S extends { LastModifiedTime?: Date | undefined }>(
  summaries: S[] | undefined,
  nameOf: (summary: S) => string | undefined,
  nextToken: string | undefined,
): ListedPage<S> {
  return {
    resources: (summaries ?? []).map((s) => ({
      name: nameOf(s) ?? '',
      lastModifiedTime: s.LastModifiedTime,
      summary: s,
    })),
    nextToken,
  };
}

export interface ChangeDetectionSettings {
  /** Sweep period of a kind and region while one of its objects is in transition. */
  readonly sweepIntervalMs: number;
  /** Sweep period otherwise, and while pushed events cover the region: the drift interval. */
  readonly driftIntervalMs: number;
  /** How late a change may show in a List after its LastModifiedTime (default a minute). */
  readonly overlapMs?: number;
}

/** A change SageMaker pushed (an EventBridge state-change event). */
export interface PushedChange {
  resourceType: string;
  name: string;
  region: string;
}

/** Pushed changes (SQS fed by EventBridge); while they cover a region, its sweeps only run at the drift interval. */
export interface PushChannel {
  /** Delivers changes until `signal` fires; never rejects. */
  run(onChange: (change: PushedChange) => void, signal: AbortSignal): Promise<void>;
  healthy(): boolean;
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

const listingKey = (name: string, scope: string): string => `${scope}/${name}`;

/**
 * The sweeps of one kind: per identity and region (each namespace's role sees its own account),
 * one paginated List call of
 * the resources modified since the previous sweep; only those among this kind's objects are
 * reconciled (described), foreign names cost nothing. Sweeps run every `sweepIntervalMs` while an
 * object of the region is in transition (Reconciling, or being deleted), at the drift interval
 * otherwise; while pushed events cover the region, at the drift interval always. Pushed changes trigger the
 * named object at once. Each object is still described at the safety interval by its own requeue,
 * so correctness never rests on List alone.
 */
export class KindSweeps<O extends ManagedObject, S = unknown> implements ChangeSource<O> {
  readonly name: string;
  private feed: ChangeFeed<O> | undefined;
  private readonly scopes = new Map<string, ScopeState>();
  /** What the last sweep listed of each changed resource the kind manages, until its reconcile takes it. */
  private readonly listings = new Map<string, ListedResource<S>>();

  constructor(
    private readonly kind: ChangeListing<S>,
    private readonly detection: ChangeDetection,
  ) {
    this.name = `${kind.label ?? kind.kind} sweeps`;
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
    const key = listingKey(name, scope);
    const listing = this.listings.get(key);
    this.listings.delete(key);
    return listing;
  }

  /** A change pushed by SageMaker's events: the object that manages `name` in `region` reconciles now. */
  changed(name: string, region: string): void {
    const feed = this.feed;
    if (!feed) return;
    const obj = feed
      .objects()
      .find((o) => this.sageMakerName(o) === name && this.scopeOf(o, feed)?.region === region);
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
      const interval = this.interval(scope.region, objects);
      if (now - state.lastSweepAt < interval) {
        nextDue = Math.min(nextDue, state.lastSweepAt + interval);
        continue;
      }
      state.lastSweepAt = now;
      nextDue = Math.min(nextDue, now + interval);
      try {
        await this.sweep(scope, objects, state, feed);
      } catch (err) {
        if (feed.signal.aborted) return 0;
        // The next sweep reads from the same point: nothing is lost, objects keep their safety describes.
        feed.log.warn(
          { err, region: scope.region, role: scope.roleArn },
          'sweep failed; the next one starts from the same point',
        );
      }
    }
    for (const key of this.scopes.keys()) if (!byScope.has(key)) this.scopes.delete(key);
    return nextDue - Date.now();
  }

  private interval(region: string, objects: readonly O[]): number {
    const { sweepIntervalMs, driftIntervalMs } = this.detection.settings;
    const kind = this.kind;
    if (kind.expectsChange) {
      const now = Date.now();
      const active = objects.some((obj) => kind.expectsChange?.(obj, now));
      return active ? Math.max(sweepIntervalMs, kind.activeIntervalMs ?? 0) : driftIntervalMs;
    }
    if (this.detection.pushCovers(region)) return driftIntervalMs;
    return objects.some(inTransition) ? sweepIntervalMs : driftIntervalMs;
  }

  private async sweep(
    scope: AwsScope,
    objects: readonly O[],
    state: ScopeState,
    feed: ChangeFeed<O>,
  ): Promise<void> {
    const where = scopeKey(scope);
    const byName = new Map(objects.map((o) => [this.sageMakerName(o), o]));
    for (const [key, { name }] of this.listings)
      if (key === listingKey(name, where) && !byName.has(name)) this.listings.delete(key);
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
        this.listings.set(listingKey(name, where), listing);
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
 * Change detection for every kind (DESIGN.md §5, issue 16): each kind's controller runs its sweeps
 * as a change source, and SageMaker's pushed events reach the object they name.
 */
export class ChangeDetection {
  private readonly kinds = new Map<string, { changed(name: string, region: string): void }>();
  private running = 0;
  private pushAbort: AbortController | undefined;
  private pushRun: Promise<void> = Promise.resolve();
  private readonly pushedRegions = new Set<string>();

  constructor(
    readonly options: ManagedKindOptions,
    readonly settings: ChangeDetectionSettings,
    readonly push?: PushChannel,
  ) {}

  /** The sweeps of a kind, for its controller's change sources. */
  sweepsOf<O extends ManagedObject, S = unknown>(kind: ChangeListing<S>): KindSweeps<O, S> {
    const sweeps = new KindSweeps<O, S>(kind, this);
    // Pushed changes name the kind's own resources: they go to its first sweeps.
    if (!this.kinds.has(kind.kind)) this.kinds.set(kind.kind, sweeps);
    return sweeps;
  }

  /** For a kind with sweeps of its own (not `sweepsOf`): where its pushed changes go. */
  receive(kind: string, receiver: { changed(name: string, region: string): void }): void {
    this.kinds.set(kind, receiver);
  }

  /** A change SageMaker pushed: the object of `kind` that manages `name` in `region` reconciles now. */
  changed(kind: string, name: string, region: string): void {
    this.kinds.get(kind)?.changed(name, region);
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
        this.pushedRegions.add(change.region);
        this.changed(change.resourceType, change.name, change.region);
      }, abort.signal),
    );
  }

  /**
   * Whether pushed events stand for the sweeps of a region: the channel works and has delivered an
   * event from that region (EventBridge rules are regional; a region whose events do not reach the
   * queue keeps its sweeps).
   */
  pushCovers(region: string): boolean {
    return this.push?.healthy() === true && this.pushedRegions.has(region);
  }

  detach(): void {
    if (--this.running > 0) return;
    this.pushAbort?.abort();
    this.pushAbort = undefined;
  }
}

/** Whether the operator is still working on the object: SageMaker may change it any moment. */
export function inTransition(obj: ManagedObject): boolean {
  if (obj.metadata.deletionTimestamp) return true;
  const conditions = (obj.status as { conditions?: Condition[] } | undefined)?.conditions;
  return findCondition(conditions, 'Reconciling')?.status !== 'False';
}

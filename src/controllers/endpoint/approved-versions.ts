import { ListModelPackagesCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { pause, type ChangeFeed, type ChangeSource, type KubeObject } from '../../runtime/index.js';
import { scopeKey, type AwsScope } from '../../aws/identity.js';
import { ListingBackoff } from '../common/listing-backoff.js';
import { groupKey, sameListing, versionOfArn, type ApprovedListing } from './registry.js';

/** A group some Endpoints follow, as one identity in one region, and what its last listing found. */
interface FollowedGroup {
  scope: AwsScope;
  group: string;
  listing: ApprovedListing | undefined;
  listedAt: number;
  /** The objects that follow it (by uid), each with the generation whose reconcile said so. */
  followers: Map<string, number | undefined>;
}

/** How often, at most, the sweeper checks whether a group's listing is due. */
const TICK_MS = 1000;

/**
 * The latest approved version of each model package group that Endpoints follow
 * (modelPackageFrom), shared by all of them: one ListModelPackages call per group, identity and region
 * (Approved, newest first, one result) per drift interval, whether a reconcile or the sweep makes it.
 * When a listing finds another version than the one before, the group's followers reconcile, even
 * after a terminal error (a new version is a new chance). Approvals made through ModelPackage objects
 * reach the followers at once through their watch (the controller's references); this covers
 * approvals made in the registry itself, at once when SageMaker's pushed events name the group (due).
 * A group whose List fails (its tenant's role may not list it) is listed again after a backoff, not
 * at every tick; a group nobody follows any more is forgotten.
 */
export class ApprovedVersions<O extends KubeObject> implements ChangeSource<O> {
  readonly name = 'model registry approvals';
  private readonly groups = new Map<string, FollowedGroup>();
  private readonly failures: ListingBackoff;
  private feed: ChangeFeed<O> | undefined;

  constructor(
    private readonly driftIntervalMs: number,
    private readonly clientOf: (scope: AwsScope) => SageMakerClient,
  ) {
    this.failures = new ListingBackoff(driftIntervalMs);
  }

  /** The group's listing, unless it is older than the drift interval (then it is listed again). */
  fresh(scope: AwsScope, group: string): ApprovedListing | undefined {
    const entry = this.groups.get(entryKey(scope, group));
    if (!entry || Date.now() - entry.listedAt >= this.driftIntervalMs) return undefined;
    return entry.listing;
  }

  /** A pushed change of the group (an approval made in the registry): it is listed at the next tick. */
  due(region: string, group: string): void {
    for (const entry of this.groups.values())
      if (entry.scope.region === region && groupKey(entry.group) === groupKey(group))
        entry.listedAt = -Infinity;
  }

  /** Records which groups an object follows now (none: it follows nothing any more). */
  follow(obj: O, groups: readonly { scope: AwsScope; group: string }[]): void {
    // Without sweeps no listing is fresh: every reconcile lists its groups, and nothing is kept.
    if (this.driftIntervalMs <= 0) return;
    const key = keyOf(obj);
    for (const [id, entry] of this.groups) {
      entry.followers.delete(key);
      if (entry.followers.size === 0) this.groups.delete(id);
    }
    for (const { scope, group } of groups) {
      const id = entryKey(scope, group);
      const entry = this.groups.get(id) ?? {
        scope,
        group,
        listing: undefined,
        listedAt: -Infinity,
        followers: new Map<string, number | undefined>(),
      };
      entry.followers.set(key, obj.metadata?.generation);
      this.groups.set(id, entry);
    }
  }

  /** Lists the group's latest approved version now, and has its other followers reconcile if it changed. */
  async list(
    sagemaker: SageMakerClient,
    scope: AwsScope,
    group: string,
    cancel: { abortSignal: AbortSignal },
  ): Promise<ApprovedListing> {
    const started = Date.now();
    const id = entryKey(scope, group);
    const page = await sagemaker
      .send(
        new ListModelPackagesCommand({
          ModelPackageGroupName: group,
          ModelApprovalStatus: 'Approved',
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: 1,
        }),
        cancel,
      )
      .catch((err: unknown) => {
        if (this.groups.has(id) && !cancel.abortSignal.aborted) this.failures.failed(id, Date.now());
        throw err;
      });
    this.failures.succeeded(id);
    const summary = page.ModelPackageSummaryList?.[0];
    const arn = summary?.ModelPackageArn;
    const listing: ApprovedListing = {
      latest:
        arn === undefined ? undefined : { arn, version: summary?.ModelPackageVersion ?? versionOfArn(arn) },
    };
    this.record(id, listing, started);
    return listing;
  }

  async run(feed: ChangeFeed<O>): Promise<void> {
    this.feed = feed;
    try {
      while (!feed.signal.aborted) {
        await this.sweep(feed);
        await pause(Math.min(TICK_MS, this.driftIntervalMs), feed.signal);
      }
    } finally {
      this.feed = undefined;
    }
  }

  private async sweep(feed: ChangeFeed<O>): Promise<void> {
    this.forgetUnfollowed(feed.objects());
    for (const [id, entry] of this.groups) {
      const now = Date.now();
      if (now - entry.listedAt < this.driftIntervalMs || now < this.failures.retryAt(id)) continue;
      const client = this.clientOf(entry.scope);
      await this.list(client, entry.scope, entry.group, { abortSignal: feed.signal }).catch(
        (err: unknown) => {
          if (!feed.signal.aborted)
            feed.log.warn(
              {
                err,
                group: entry.group,
                region: entry.scope.region,
                role: entry.scope.roleArn,
                retryInMs: this.failures.retryAt(id) - Date.now(),
              },
              'listing approved versions failed',
            );
        },
      );
    }
  }

  /**
   * An object follows what the reconcile of its current generation said: one that is gone, or whose
   * spec changed without a reconcile saying what it follows now (it waits for something else),
   * follows nothing here; a group left without followers is forgotten.
   */
  private forgetUnfollowed(objects: readonly O[]): void {
    const live = new Map(objects.map((o) => [keyOf(o), o.metadata?.generation]));
    for (const [id, entry] of this.groups) {
      for (const [key, generation] of entry.followers)
        if (!live.has(key) || live.get(key) !== generation) entry.followers.delete(key);
      if (entry.followers.size === 0) this.groups.delete(id);
    }
    this.failures.keepOnly((id) => this.groups.has(id));
  }

  private record(id: string, listing: ApprovedListing, listedAt: number): void {
    const entry = this.groups.get(id);
    if (!entry) return;
    const before = entry.listing;
    entry.listing = listing;
    entry.listedAt = listedAt;
    if (before === undefined || sameListing(before, listing)) return;
    const feed = this.feed;
    if (!feed) return;
    for (const obj of feed.objects()) if (entry.followers.has(keyOf(obj))) feed.trigger(obj, true);
  }
}

const entryKey = (scope: AwsScope, group: string): string => `${scopeKey(scope)}/${groupKey(group)}`;
const keyOf = (obj: KubeObject): string =>
  obj.metadata?.uid ?? `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

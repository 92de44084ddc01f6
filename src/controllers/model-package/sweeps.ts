import { paginateListModelPackages } from '@aws-sdk/client-sagemaker';
import { scopeKey, type AwsScope } from '../../aws/identity.js';
import type { ModelPackageStatus } from '../../crds/model-package.js';
import { pause, type ChangeFeed, type ChangeSource } from '../../runtime/index.js';
import type { ChangeDetection, KindControllerOptions } from '../common/change-detection.js';
import { inAccount, inTransition } from '../common/kind-sweeps.js';
import type { PushedChange } from '../common/pushed-changes.js';
import type { GroupChanges } from '../common/group-changes.js';
import { usableScopeOf } from '../common/identity.js';
import { ListingBackoff } from '../common/listing-backoff.js';
import type { ManagedObject } from '../../crds/kind.js';

type VersionObject = ManagedObject & { status?: ModelPackageStatus };

/**
 * ListModelPackages has no LastModifiedTime filter and its summaries no LastModifiedTime, so the
 * kind cannot use the shared sweeps (listModifiedAfter). What changes a registered version, its
 * approval and its status, is in the summaries: one paginated List call per group (identity and
 * region) finds the versions whose approval or status differ from what their object's status says,
 * and only those are described. Like the shared sweeps, they run at the sweep interval while an
 * object is in transition and at the drift interval otherwise; a group whose List fails (its
 * tenant's role may not list) waits longer before its next one, and the other groups are listed
 * as usual.
 */
export function approvalSweeps<O extends VersionObject>(
  options: KindControllerOptions,
  groupChanges?: GroupChanges,
): ChangeSource<O>[] {
  const detection = options.changeDetection;
  if (!detection) return [];
  const sweeps = new ApprovalSweeps<O>(detection);
  // Pushed changes name the group: its versions look again, and so do the Endpoints that follow it.
  detection.receive('ModelPackage', {
    changed: (change) => {
      sweeps.changed(change);
      groupChanges?.changed(change.name, change.region);
    },
  });
  return [sweeps];
}

/** The versions of one group, as one identity in one region, that have objects. */
interface SweptGroup<O> {
  scope: AwsScope;
  group: string;
  byArn: Map<string, O>;
}

class ApprovalSweeps<O extends VersionObject> implements ChangeSource<O> {
  readonly name = 'ModelPackage approval sweeps';
  private lastSweepAt = -Infinity;
  private feed: ChangeFeed<O> | undefined;
  private readonly failures: ListingBackoff;

  constructor(private readonly detection: ChangeDetection) {
    this.failures = new ListingBackoff(detection.settings.driftIntervalMs);
  }

  async run(feed: ChangeFeed<O>): Promise<void> {
    const { sweepIntervalMs } = this.detection.settings;
    this.feed = feed;
    this.detection.attach();
    try {
      while (!feed.signal.aborted) {
        const objects = feed.objects();
        if (Date.now() - this.lastSweepAt >= this.interval(objects)) {
          this.lastSweepAt = Date.now();
          await this.sweep(objects, feed);
        }
        await pause(Math.min(1000, sweepIntervalMs), feed.signal);
      }
    } finally {
      this.feed = undefined;
      this.detection.detach();
    }
  }

  /**
   * A pushed "SageMaker Model Package State Change" (a version's status or approval changed): it
   * names the group, so every version of that group in that account and region is looked at now.
   */
  changed(change: PushedChange): void {
    const feed = this.feed;
    if (!feed) return;
    for (const obj of feed.objects()) {
      const inGroup = obj.status?.modelPackageGroupName?.toLowerCase() === change.name.toLowerCase();
      if (
        inGroup &&
        inAccount(obj, change.account) &&
        usableScopeOf(obj, feed.cache, this.detection.options)?.region === change.region
      )
        feed.trigger(obj);
    }
  }

  private interval(objects: readonly O[]): number {
    const { sweepIntervalMs, driftIntervalMs } = this.detection.settings;
    return objects.some(inTransition) ? sweepIntervalMs : driftIntervalMs;
  }

  private async sweep(objects: readonly O[], feed: ChangeFeed<O>): Promise<void> {
    const groups = new Map<string, SweptGroup<O>>();
    for (const obj of objects) {
      const { modelPackageArn: arn, modelPackageGroupName: group } = obj.status ?? {};
      const scope = usableScopeOf(obj, feed.cache, this.detection.options);
      if (arn === undefined || group === undefined || scope === undefined) continue;
      const key = `${scopeKey(scope)}/${group.toLowerCase()}`;
      const entry = groups.get(key) ?? { scope, group, byArn: new Map<string, O>() };
      entry.byArn.set(arn.toLowerCase(), obj);
      groups.set(key, entry);
    }
    this.failures.keepOnly((key) => groups.has(key));
    for (const [key, group] of groups) {
      if (Date.now() < this.failures.retryAt(key)) continue;
      try {
        await this.sweepGroup(group, feed);
        this.failures.succeeded(key);
      } catch (err) {
        if (feed.signal.aborted) return;
        const { failures, retryInMs } = this.failures.failed(key, Date.now());
        feed.log.warn(
          {
            err,
            group: group.group,
            region: group.scope.region,
            role: group.scope.roleArn,
            failures,
            retryInMs,
          },
          'listing the versions of a model package group failed; the other groups are listed as usual',
        );
      }
    }
  }

  private async sweepGroup({ scope, group, byArn }: SweptGroup<O>, feed: ChangeFeed<O>): Promise<void> {
    const client = this.detection.options.aws.sagemaker(scope);
    const pages = paginateListModelPackages(
      { client, pageSize: 100 },
      { ModelPackageGroupName: group },
      { abortSignal: feed.signal },
    );
    for await (const page of pages) {
      for (const summary of page.ModelPackageSummaryList ?? []) {
        const obj = byArn.get(summary.ModelPackageArn?.toLowerCase() ?? '');
        const status = obj?.status;
        if (!obj || !status) continue;
        if (
          summary.ModelApprovalStatus !== status.modelApprovalStatus ||
          summary.ModelPackageStatus !== status.modelPackageStatus
        )
          feed.trigger(obj);
      }
    }
  }
}

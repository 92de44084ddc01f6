import type { EndpointSpec } from '../../crds/endpoint.js';
import { modelPackageSources, type ModelPackageSource } from '../common/models.js';
import type { UnreadyReference } from '../common/conditions.js';

/*
 * The model registry as an Endpoint's containers use it (docs/model-registry.md): a ModelPackage
 * object's version (modelPackageRef), or the latest approved version of a group (modelPackageFrom).
 * Pure decisions; the controller reads the objects from the cache and lists the registry.
 */

/** A version of a group as the registry or a ModelPackage object reports it. */
export interface RegistryVersion {
  arn: string;
  /** The version number, when known: from the registry, or the ARN's last part. */
  version?: number | undefined;
}

/**
 * What one ListModelPackages call (Approved, newest first, one result) found for a group: its latest
 * approved version, or none.
 */
export interface ApprovedListing {
  latest: RegistryVersion | undefined;
}

/** What the cache shows of a ModelPackage object. */
export interface VersionObject {
  spec?: { groupRef?: { name: string } | undefined; modelPackageGroupName?: string | undefined };
  status?: {
    modelPackageGroupName?: string | undefined;
    modelPackageArn?: string | undefined;
    modelPackageVersion?: number | undefined;
    modelPackageStatus?: string | undefined;
    modelApprovalStatus?: string | undefined;
  };
}

/** What the cache shows of a ModelPackageGroup object. */
export interface GroupObject {
  status?: { modelPackageGroupName?: string | undefined; modelPackageGroupStatus?: string | undefined };
}

/** The group and number of a versioned model package ARN (`.../model-package/churn/3`). */
export function parseVersionArn(arn: string): { group: string; version: number } | undefined {
  const match = /:model-package\/([^/]+)\/(\d+)$/.exec(arn);
  return match ? { group: match[1] ?? '', version: Number(match[2]) } : undefined;
}

/** The version number at the end of a versioned model package ARN. */
export function versionOfArn(arn: string): number | undefined {
  return parseVersionArn(arn)?.version;
}

/** A group's name from its name or ARN. */
export function groupNameOf(nameOrArn: string): string {
  return nameOrArn.replace(/^arn:[^:]+:sagemaker:[^:]*:\d{12}:model-package-group\//, '');
}

/** A group's name in lower case: how SageMaker compares them. */
export function groupKey(nameOrArn: string): string {
  return groupNameOf(nameOrArn).toLowerCase();
}

export type Resolved<T> = { type: 'ready'; value: T } | UnreadyReference;

/** A ModelPackage object's version, once registered (any approval: the spec names it on purpose). */
export function versionOfObject(name: string, obj: VersionObject | undefined): Resolved<RegistryVersion> {
  const status = obj?.status;
  const arn = status?.modelPackageArn;
  if (status?.modelPackageStatus === 'Completed' && arn !== undefined)
    return { type: 'ready', value: { arn, version: status.modelPackageVersion ?? versionOfArn(arn) } };
  const state = obj ? (status?.modelPackageStatus ?? 'not registered yet') : 'not found';
  return { type: 'waiting', message: `waiting for ModelPackage ${name} (${state})` };
}

/** A ModelPackageGroup object's SageMaker name, once the group is Completed. */
export function groupOfObject(name: string, obj: GroupObject | undefined): Resolved<string> {
  const group = obj?.status?.modelPackageGroupName;
  if (obj?.status?.modelPackageGroupStatus === 'Completed' && group !== undefined)
    return { type: 'ready', value: group };
  const state = obj ? (obj.status?.modelPackageGroupStatus ?? 'not created yet') : 'not found';
  return { type: 'waiting', message: `waiting for ModelPackageGroup ${name} (${state})` };
}

/**
 * Which version of `group` serves, from the last listing of its latest approved version and the
 * ModelPackage objects of the namespace:
 * - `list` when there is no listing yet, or the objects show it is out of date: a version of the
 *   group approved and registered that is newer than the listed one, or the listed one no longer
 *   Approved. (Objects alone cannot say which version is approved after a rejection: only the
 *   registry knows the versions registered outside the cluster.)
 * - `serve` the listed version; `none` when the group has no approved version.
 */
export type ApprovedDecision =
  { type: 'list' } | { type: 'serve'; version: RegistryVersion } | { type: 'none' };

export function approvedVersion(
  group: string,
  listing: ApprovedListing | undefined,
  objects: readonly VersionObject[],
): ApprovedDecision {
  if (!listing) return { type: 'list' };
  const latest = listing.latest;
  const inGroup = objects.filter((o) => {
    const name = o.status?.modelPackageGroupName;
    return name !== undefined && groupKey(name) === groupKey(group);
  });
  const newer = inGroup.some(
    (o) =>
      o.status?.modelApprovalStatus === 'Approved' &&
      o.status.modelPackageStatus === 'Completed' &&
      (latest === undefined || (o.status.modelPackageVersion ?? 0) > (latest.version ?? 0)),
  );
  const withdrawn =
    latest !== undefined &&
    inGroup.some(
      (o) =>
        o.status?.modelPackageArn?.toLowerCase() === latest.arn.toLowerCase() &&
        o.status.modelApprovalStatus !== undefined &&
        o.status.modelApprovalStatus !== 'Approved',
    );
  if (newer || withdrawn) return { type: 'list' };
  return latest ? { type: 'serve', version: latest } : { type: 'none' };
}

/** Whether two listings of a group name the same latest approved version. */
export function sameListing(a: ApprovedListing | undefined, b: ApprovedListing): boolean {
  return a !== undefined && a.latest?.arn.toLowerCase() === b.latest?.arn.toLowerCase();
}

/** The ModelPackage objects the spec's containers name (modelPackageRef). */
export function referencedModelPackages(spec: EndpointSpec): string[] {
  return sourcesOf(spec).flatMap((s) => (s.type === 'version' ? [s.name] : []));
}

/** The ModelPackageGroup objects whose latest approved version the spec follows (modelPackageFrom.groupRef). */
export function referencedGroups(spec: EndpointSpec): string[] {
  return sourcesOf(spec).flatMap((s) => (s.type === 'latestApproved' && s.groupRef ? [s.groupRef] : []));
}

/**
 * Whether a ModelPackage object's change may change what the spec serves: it is a version of a
 * group the spec follows (by groupRef, or by the group's name).
 */
export function followsVersion(spec: EndpointSpec, version: VersionObject): boolean {
  const ref = version.spec?.groupRef?.name;
  const name = version.status?.modelPackageGroupName ?? version.spec?.modelPackageGroupName;
  return sourcesOf(spec).some(
    (s) =>
      s.type === 'latestApproved' &&
      ((s.groupRef !== undefined && s.groupRef === ref) ||
        (s.groupName !== undefined && name !== undefined && groupKey(s.groupName) === groupKey(name))),
  );
}

function sourcesOf(spec: EndpointSpec): ModelPackageSource[] {
  return modelPackageSources(spec.models);
}

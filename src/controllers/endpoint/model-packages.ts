import { modelPackageDescriptor } from '../../crds/model-package.js';
import { modelPackageGroupDescriptor } from '../../crds/model-package-group.js';
import type { EndpointObject, EndpointSpec } from '../../crds/endpoint.js';
import type { CacheReader } from '../../runtime/index.js';
import type { ManagedResource } from '../common/managed-resource.js';
import { modelPackageSources } from '../common/models.js';
import type { ApprovedVersions } from './approved-versions.js';
import { approvedVersion, groupOfObject, versionOfObject, type Resolved } from './registry.js';

/**
 * The version ARN of each registry source of the containers (by source key): a ModelPackage
 * object's version, or the latest approved version of a group, listed at most once per drift
 * interval for all the endpoints that follow the group, and again when the ModelPackage objects
 * of the namespace show that the listing is out of date. The groups the spec follows are recorded
 * in `approved`, whose sweep lists them for every endpoint that follows them.
 */
export async function modelPackageVersions(
  obj: EndpointObject,
  spec: EndpointSpec,
  cache: CacheReader,
  approved: ApprovedVersions<EndpointObject>,
  resource: ManagedResource<unknown>,
): Promise<Resolved<Map<string, string>>> {
  const { namespace } = obj.metadata;
  const { scope } = resource;
  const arns = new Map<string, string>();
  const followed: { key: string; group: string }[] = [];
  for (const source of modelPackageSources(spec.models)) {
    if (source.type === 'version') {
      const version = versionOfObject(source.name, cache.get(modelPackageDescriptor, namespace, source.name));
      if (version.type !== 'ready') return version;
      arns.set(source.key, version.value.arn);
      continue;
    }
    const group =
      source.groupRef === undefined
        ? { type: 'ready' as const, value: source.groupName ?? '' }
        : groupOfObject(source.groupRef, cache.get(modelPackageGroupDescriptor, namespace, source.groupRef));
    if (group.type !== 'ready') return group;
    followed.push({ key: source.key, group: group.value });
  }
  approved.follow(
    obj,
    followed.map(({ group }) => ({ scope, group })),
  );
  const versions = cache.list(modelPackageDescriptor, namespace);
  for (const { key, group } of followed) {
    const decision = approvedVersion(group, approved.fresh(scope, group), versions);
    const latest =
      decision.type === 'list'
        ? (await approved.list(resource.sagemaker, scope, group, resource.cancel)).latest
        : decision.type === 'serve'
          ? decision.version
          : undefined;
    if (!latest)
      return {
        type: 'waiting',
        message: `waiting for an approved version in model package group ${group}`,
      };
    arns.set(key, latest.arn);
  }
  return { type: 'ready', value: arns };
}

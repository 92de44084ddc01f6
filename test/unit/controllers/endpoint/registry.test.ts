import { describe, expect, it } from '@jest/globals';
import { endpointPlan } from '../../../../src/controllers/endpoint/plan.js';
import {
  approvedVersion,
  followsVersion,
  groupOfObject,
  parseVersionArn,
  referencedGroups,
  referencedModelPackages,
  versionOfObject,
  type VersionObject,
} from '../../../../src/controllers/endpoint/registry.js';
import type { EndpointSpec } from '../../../../src/crds/endpoint.js';
import { ROLE } from './fixtures.js';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package';
const v = (n: number) => ({ arn: `${ARN}/churn/${n}`, version: n });

function version(n: number, approval: string, status = 'Completed', group = 'churn'): VersionObject {
  return {
    status: {
      modelPackageGroupName: group,
      modelPackageArn: `${ARN}/${group}/${n}`,
      modelPackageVersion: n,
      modelPackageStatus: status,
      modelApprovalStatus: approval,
    },
  };
}

describe('approvedVersion: which version of a followed group serves, given its listing', () => {
  it('lists when the group was never listed', () => {
    expect(approvedVersion('churn', undefined, [])).toEqual({ type: 'list' });
  });

  it('serves the listed latest approved version, or none', () => {
    expect(approvedVersion('churn', { latest: v(2) }, [version(1, 'Approved')])).toEqual({
      type: 'serve',
      version: v(2),
    });
    expect(approvedVersion('churn', { latest: undefined }, [version(1, 'PendingManualApproval')])).toEqual({
      type: 'none',
    });
  });

  it('lists again when a ModelPackage object shows a newer approved version', () => {
    expect(approvedVersion('churn', { latest: v(1) }, [version(2, 'Approved')])).toEqual({ type: 'list' });
    expect(approvedVersion('churn', { latest: undefined }, [version(1, 'Approved')])).toEqual({
      type: 'list',
    });
  });

  it('lists again when the listed version is no longer approved (a rejection: only the registry knows what remains)', () => {
    expect(approvedVersion('churn', { latest: v(2) }, [version(2, 'Rejected')])).toEqual({ type: 'list' });
  });

  it('ignores versions still being registered, older approvals and other groups', () => {
    const objects = [
      version(3, 'Approved', 'InProgress'),
      version(1, 'Approved'),
      version(7, 'Approved', 'Completed', 'other'),
      version(2, 'Rejected', 'Completed', 'other'),
    ];
    expect(approvedVersion('churn', { latest: v(2) }, objects)).toEqual({ type: 'serve', version: v(2) });
  });

  it('compares groups by name, whatever the case or an ARN', () => {
    const listing = { latest: v(1) };
    const byArn = `arn:aws:sagemaker:us-east-1:123456789012:model-package-group/Churn`;
    expect(approvedVersion(byArn, listing, [version(2, 'Approved')])).toEqual({ type: 'list' });
  });
});

describe('registry references', () => {
  it('serves a ModelPackage object only once it is registered, whatever its approval', () => {
    expect(versionOfObject('v1', undefined)).toEqual({
      type: 'waiting',
      message: 'waiting for ModelPackage v1 (not found)',
    });
    expect(versionOfObject('v1', version(1, 'Approved', 'InProgress'))).toEqual({
      type: 'waiting',
      message: 'waiting for ModelPackage v1 (InProgress)',
    });
    expect(versionOfObject('v1', version(1, 'Rejected'))).toEqual({ type: 'ready', value: v(1) });
  });

  it('takes a group by reference once it is Completed', () => {
    expect(groupOfObject('churn', { status: { modelPackageGroupStatus: 'Pending' } })).toEqual({
      type: 'waiting',
      message: 'waiting for ModelPackageGroup churn (Pending)',
    });
    const completed = { status: { modelPackageGroupStatus: 'Completed', modelPackageGroupName: 'ns-churn' } };
    expect(groupOfObject('churn', completed)).toEqual({ type: 'ready', value: 'ns-churn' });
  });

  it('reads the group and number of a version ARN', () => {
    expect(parseVersionArn(`${ARN}/churn/12`)).toEqual({ group: 'churn', version: 12 });
    expect(parseVersionArn(`${ARN}/unversioned`)).toBeUndefined();
  });
});

const spec = (container: NonNullable<EndpointSpec['models'][number]['primaryContainer']>): EndpointSpec => ({
  models: [{ modelName: 'model', primaryContainer: container, executionRoleArn: ROLE }],
  productionVariants: [
    { variantName: 'AllTraffic', modelName: 'model', instanceType: 'ml.m5.large', initialInstanceCount: 1 },
  ],
});

describe('an Endpoint spec that follows a group', () => {
  const following = spec({ modelPackageFrom: { groupRef: { name: 'churn' }, approvalStatus: 'Approved' } });
  const byName = spec({ modelPackageFrom: { groupName: 'ns-churn', approvalStatus: 'Approved' } });

  it('is triggered by the versions of that group, by reference or by name', () => {
    expect(followsVersion(following, { spec: { groupRef: { name: 'churn' } } })).toBe(true);
    expect(followsVersion(following, { spec: { groupRef: { name: 'other' } } })).toBe(false);
    expect(followsVersion(byName, { spec: {}, status: { modelPackageGroupName: 'NS-Churn' } })).toBe(true);
    expect(followsVersion(byName, { spec: { modelPackageGroupName: 'ns-other' } })).toBe(false);
    expect(referencedGroups(following)).toEqual(['churn']);
    expect(referencedModelPackages(spec({ modelPackageRef: { name: 'v1' } }))).toEqual(['v1']);
  });

  it('plans a model of the version, named after it, so another version rolls the endpoint', () => {
    const plan = (n: number) =>
      endpointPlan(following, 'ns-ep', new Map(), [], new Map([['ModelPackageGroup/churn', v(n).arn]]));
    const [first, second] = [plan(1), plan(2)];
    expect(first.models[0]?.PrimaryContainer).toEqual({ ModelPackageName: v(1).arn });
    expect(first.modelPackages).toEqual([
      {
        modelName: 'model',
        modelPackageArn: v(1).arn,
        modelPackageGroupName: 'churn',
        modelPackageVersion: 1,
      },
    ]);
    expect(second.models[0]?.ModelName).not.toBe(first.models[0]?.ModelName);
    expect(second.endpointConfig.EndpointConfigName).not.toBe(first.endpointConfig.EndpointConfigName);
    const pinned = endpointPlan(spec({ modelPackageName: v(4).arn }), 'ns-ep', new Map(), []);
    expect(pinned.modelPackages).toEqual([
      {
        modelName: 'model',
        modelPackageArn: v(4).arn,
        modelPackageGroupName: 'churn',
        modelPackageVersion: 4,
      },
    ]);
    expect(endpointPlan(spec({ image: 'xgboost:1' }), 'ns-ep', new Map(), []).modelPackages).toEqual([]);
    // Back to version 1: the same names as before (content-addressed).
    expect(plan(1).endpointConfig.EndpointConfigName).toBe(first.endpointConfig.EndpointConfigName);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  AuthorizationV1Api,
  KubernetesObjectApi,
  type KubeConfig,
  type KubernetesObject,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { ALL_KINDS } from '../../../src/crds/index.js';
import { createTestNamespace, testKubeConfig } from '../support/cluster.js';
import { renderChart, type Values } from './chart.js';

/** What a SubjectAccessReview asks about, as a plain object. */
type Access = Pick<
  V1ResourceAttributes,
  'group' | 'resource' | 'subresource' | 'verb' | 'namespace' | 'name'
>;

let kc: KubeConfig;
const clusterScoped: KubernetesObject[] = [];

beforeAll(() => {
  kc = testKubeConfig();
});

afterAll(async () => {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of clusterScoped) await objects.delete(obj);
});

/** Renders the chart into `namespace` and creates its ServiceAccount and RBAC objects; returns the SA's user name. */
async function installIdentity(namespace: string, values: Values): Promise<string> {
  const release = `rbac-${randomBytes(3).toString('hex')}`;
  const rendered = await renderChart(values, { release, namespace });
  const identity = rendered.filter((obj) =>
    ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(obj.kind ?? ''),
  );
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of identity) {
    await objects.create(obj);
    if (obj.kind?.startsWith('Cluster')) clusterScoped.push(obj);
  }
  return `system:serviceaccount:${namespace}:${release}-sagemaker-operator`;
}

async function can(user: string, attributes: Access): Promise<boolean> {
  const namespace = user.split(':')[2] ?? '';
  const review = await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
        resourceAttributes: attributes,
      },
    },
  });
  return review.status?.allowed ?? false;
}

const sagemaker = (resource: string, verb: string, namespace?: string, subresource?: string): Access => ({
  group: 'sagemaker.mlops.dev',
  resource,
  verb,
  ...(namespace === undefined ? {} : { namespace }),
  ...(subresource === undefined ? {} : { subresource }),
});

describe('cluster-wide install with leader election', () => {
  let home: string;
  let elsewhere: string;
  let user: string;
  const lease = (verb: string, namespace: string, name?: string): Access => ({
    group: 'coordination.k8s.io',
    resource: 'leases',
    verb,
    namespace,
    ...(name === undefined ? {} : { name }),
  });

  beforeAll(async () => {
    home = await createTestNamespace(kc, 'helm-rbac');
    elsewhere = await createTestNamespace(kc, 'helm-rbac-other');
    user = await installIdentity(home, { replicas: 2 });
  });

  it.each(ALL_KINDS.map((kind) => kind.plural))(
    'can list and watch %s in every namespace and patch them, their status and finalizers',
    async (resource) => {
      expect(await can(user, sagemaker(resource, 'list'))).toBe(true);
      expect(await can(user, sagemaker(resource, 'watch'))).toBe(true);
      expect(await can(user, sagemaker(resource, 'patch', elsewhere))).toBe(true);
      expect(await can(user, sagemaker(resource, 'patch', elsewhere, 'status'))).toBe(true);
      expect(await can(user, sagemaker(resource, 'update', elsewhere, 'finalizers'))).toBe(true);
    },
  );

  it('can read Namespaces (their role and region annotations) but never change them', async () => {
    const namespaces = (verb: string): Access => ({ resource: 'namespaces', verb });
    expect(await can(user, namespaces('list'))).toBe(true);
    expect(await can(user, namespaces('watch'))).toBe(true);
    expect(await can(user, namespaces('patch'))).toBe(false);
    expect(await can(user, namespaces('update'))).toBe(false);
  });

  it('can read the SecurityPolicies of every namespace, and not change them', async () => {
    for (const verb of ['get', 'list', 'watch'])
      expect(await can(user, sagemaker('securitypolicies', verb, elsewhere))).toBe(true);
    for (const verb of ['create', 'patch', 'delete'])
      expect(await can(user, sagemaker('securitypolicies', verb, elsewhere))).toBe(false);
  });

  it('cannot create or delete custom resources: users own them', async () => {
    expect(await can(user, sagemaker('trainingjobs', 'create', elsewhere))).toBe(false);
    expect(await can(user, sagemaker('trainingjobs', 'delete', elsewhere))).toBe(false);
    expect(await can(user, sagemaker('endpoints', 'deletecollection', elsewhere))).toBe(false);
  });

  it('can record events.k8s.io events in any namespace', async () => {
    const events = { group: 'events.k8s.io', resource: 'events', namespace: elsewhere };
    expect(await can(user, { ...events, verb: 'create' })).toBe(true);
    expect(await can(user, { ...events, verb: 'patch' })).toBe(true);
    expect(await can(user, { ...events, verb: 'delete' })).toBe(false);
  });

  it('can create and renew its own Lease in its namespace only', async () => {
    const name = user.split(':')[3];
    expect(await can(user, lease('create', home))).toBe(true);
    expect(await can(user, lease('get', home, name))).toBe(true);
    expect(await can(user, lease('update', home, name))).toBe(true);
    expect(await can(user, lease('update', home, 'kube-scheduler'))).toBe(false);
    expect(await can(user, lease('update', elsewhere, name))).toBe(false);
    expect(await can(user, lease('create', elsewhere))).toBe(false);
    expect(await can(user, lease('delete', home, name))).toBe(false);
  });

  // Namespaced checks are made in the operator's own namespace, where a leak would matter most.
  it.each<[string, Access, boolean]>([
    ['read secrets', { resource: 'secrets', verb: 'get' }, true],
    ['list secrets cluster-wide', { resource: 'secrets', verb: 'list' }, false],
    ['read configmaps', { resource: 'configmaps', verb: 'get' }, true],
    ['delete pods', { resource: 'pods', verb: 'delete' }, true],
    ['create pods', { resource: 'pods', verb: 'create' }, true],
    ['write core/v1 events', { resource: 'events', verb: 'create' }, true],
    [
      'modify its own RBAC',
      { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'update' },
      false,
    ],
    [
      'edit CRDs',
      { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'update' },
      false,
    ],
    ['impersonate', { resource: 'serviceaccounts', verb: 'impersonate' }, true],
  ])('cannot %s', async (_, attributes, namespaced) => {
    expect(await can(user, namespaced ? { ...attributes, namespace: home } : attributes)).toBe(false);
  });
});

describe('install that watches listed namespaces', () => {
  let watched: string;
  let unwatched: string;
  let user: string;

  beforeAll(async () => {
    const home = await createTestNamespace(kc, 'helm-rbac-ns');
    watched = await createTestNamespace(kc, 'helm-rbac-watched');
    unwatched = await createTestNamespace(kc, 'helm-rbac-unwatched');
    user = await installIdentity(home, { namespaces: [watched] });
  });

  it('can watch and patch status in the listed namespace', async () => {
    expect(await can(user, sagemaker('trainingjobs', 'watch', watched))).toBe(true);
    expect(await can(user, sagemaker('trainingjobs', 'patch', watched, 'status'))).toBe(true);
    expect(
      await can(user, { group: 'events.k8s.io', resource: 'events', verb: 'create', namespace: watched }),
    ).toBe(true);
  });

  it('reads Namespaces cluster-wide all the same: they are cluster-scoped', async () => {
    expect(await can(user, { resource: 'namespaces', verb: 'watch' })).toBe(true);
    expect(await can(user, { resource: 'namespaces', verb: 'patch' })).toBe(false);
  });

  it('has no access outside it, nor cluster-wide', async () => {
    expect(await can(user, sagemaker('trainingjobs', 'watch', unwatched))).toBe(false);
    expect(await can(user, sagemaker('trainingjobs', 'list'))).toBe(false);
    expect(
      await can(user, { group: 'events.k8s.io', resource: 'events', verb: 'create', namespace: unwatched }),
    ).toBe(false);
  });

  it('has no Lease access with a single replica and no leader election', async () => {
    const home = user.split(':')[2]!;
    expect(
      await can(user, { group: 'coordination.k8s.io', resource: 'leases', verb: 'create', namespace: home }),
    ).toBe(false);
  });
});

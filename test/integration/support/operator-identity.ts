import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { renderChart } from '../helm/chart.js';

/** The chart's objects that make up the operator's Kubernetes identity: its ServiceAccount and RBAC. */
const IDENTITY_KINDS = new Set([
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
]);

/** Where the rig installs that identity, as `helm install rig ... --namespace sagemaker-operator` would. */
const NAMESPACE = 'sagemaker-operator';
const RELEASE = 'rig';

/**
 * Renders the chart with its default values and applies its ServiceAccount and RBAC to the rig's
 * apiserver (server-side apply, so a rerun against an existing cluster updates them); returns the
 * ServiceAccount's user name. Whatever rules the chart grants are exactly what the operator gets.
 */
export async function installOperatorIdentity(kc: KubeConfig): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } }).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err;
  });
  const identity = (await renderChart({}, { release: RELEASE, namespace: NAMESPACE })).filter((obj) =>
    IDENTITY_KINDS.has(obj.kind ?? ''),
  );
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of identity) {
    await objects.patch<KubernetesObject>(
      obj,
      undefined,
      undefined,
      'sagemaker-operator-rig',
      true,
      PatchStrategy.ServerSideApply,
    );
  }
  const account = identity.find((obj) => obj.kind === 'ServiceAccount');
  if (!account?.metadata?.name) throw new Error('the chart rendered no ServiceAccount');
  return `system:serviceaccount:${NAMESPACE}:${account.metadata.name}`;
}

/**
 * A copy of `kc` whose requests act as the operator's ServiceAccount (the Impersonate-User header;
 * the apiserver adds the service-account groups), so a test's operator has the chart's RBAC and
 * no more. The user comes from jest's global setup (RIG_OPERATOR_USER).
 */
export function asOperatorServiceAccount(kc: KubeConfig): KubeConfig {
  const user = process.env.RIG_OPERATOR_USER;
  if (!user) throw new Error('RIG_OPERATOR_USER is not set: run through jest global setup');
  const impersonating = new KubeConfig();
  impersonating.loadFromOptions({
    clusters: kc.clusters,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
    users: kc.users.map((u) => (u.name === kc.getCurrentUser()?.name ? { ...u, impersonateUser: user } : u)),
  });
  return impersonating;
}

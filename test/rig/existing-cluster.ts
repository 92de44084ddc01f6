import { RigError } from './errors.js';

/**
 * `USE_EXISTING_CLUSTER=true` with `KUBECONFIG` runs against a cluster the user already has,
 * as controller-runtime's envtest does; returns that kubeconfig path, or undefined to start the rig.
 */
export function existingCluster(): string | undefined {
  if (process.env.USE_EXISTING_CLUSTER !== 'true') return undefined;
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig) throw new RigError('USE_EXISTING_CLUSTER=true needs KUBECONFIG to point at that cluster');
  return kubeconfig;
}

import { ApiException, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { customObjects } from './cluster.js';

/** Creates (by default as a server-side dry run) and patches objects of one kind in one namespace. */
export function objectsOf(kc: KubeConfig, namespace: string, kind: string, plural: string) {
  return {
    create: async (name: string, spec: object, dryRun = true): Promise<void> => {
      await customObjects(kc).createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural,
        body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace }, spec },
        dryRun: dryRun ? 'All' : undefined,
      });
    },
    patchSpec: async (name: string, spec: Record<string, unknown>): Promise<void> => {
      await customObjects(kc).patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural, name, body: { spec } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    },
  };
}

/** The apiserver's message when it rejects the call; fails when it accepts it. */
export async function rejectionOf(action: Promise<void>): Promise<string> {
  try {
    await action;
  } catch (err) {
    if (err instanceof ApiException) return (JSON.parse(String(err.body)) as { message: string }).message;
    throw err;
  }
  throw new Error('the apiserver accepted it');
}

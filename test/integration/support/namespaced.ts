import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { customObjects } from './cluster.js';

/* Objects of the operator's kinds in any namespace (the harness's own methods serve its first one). */

export async function createIn(
  kc: KubeConfig,
  namespace: string,
  plural: string,
  kind: string,
  name: string,
  spec: object,
  annotations: Record<string, string> = {},
): Promise<void> {
  await customObjects(kc).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace, annotations }, spec },
  });
}

/** Polls the object until `check` holds; fails with the last state seen. */
export async function waitIn<T>(
  kc: KubeConfig,
  namespace: string,
  plural: string,
  name: string,
  check: (obj: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const obj = (await customObjects(kc).getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural,
      name,
    })) as T;
    if (check(obj)) return obj;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${namespace}/${name}:\n${JSON.stringify(obj, null, 2)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

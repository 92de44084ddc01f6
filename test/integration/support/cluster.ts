import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { getRaw } from '../../rig/apiserver-http.js';

/** The admin kubeconfig of the rig's shared control plane (set by jest's global setup). */
export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(process.env.KUBECONFIG ?? '');
  return kc;
}

/** moto's S3 endpoint (set by jest's global setup). */
export function s3Endpoint(): string {
  return process.env.RIG_S3_ENDPOINT ?? '';
}

/** A fresh namespace for one test file; namespaces never finish deleting without controllers, so none is reused. */
export async function createTestNamespace(
  kc: KubeConfig,
  prefix: string,
  annotations: Record<string, string> = {},
): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name, annotations } } });
  return name;
}

/** What a cluster admin does to give a namespace its AWS role or region: annotations on the Namespace (null removes one). */
export async function annotateNamespace(
  kc: KubeConfig,
  namespace: string,
  annotations: Record<string, string | null>,
): Promise<void> {
  await kc
    .makeApiClient(CoreV1Api)
    .patchNamespace(
      { name: namespace, body: { metadata: { annotations } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

export function customObjects(kc: KubeConfig): CustomObjectsApi {
  return kc.makeApiClient(CustomObjectsApi);
}

/** GETs an apiserver path with the kubeconfig's credentials and an Accept header, as kubectl would. */
export async function getJson(kc: KubeConfig, path: string, accept = 'application/json'): Promise<unknown> {
  return JSON.parse(await getRaw(kc, path, accept)) as unknown;
}

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiextensionsV1Api,
  ApiException,
  loadYaml,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { RigError } from './errors.js';

const ESTABLISH_TIMEOUT_MS = 30_000;

/** Creates or replaces every CRD in `dir` and waits until each is Established. */
export async function installCrds(kc: KubeConfig, dir: string): Promise<string[]> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml'));
  // loadYaml maps the YAML onto client-node's models; a plain parse would lose enum and x-kubernetes-*
  // keys, which the models spell differently (_enum, xKubernetesValidations).
  const crds = await Promise.all(
    files.map(async (file) => loadYaml<V1CustomResourceDefinition>(await readFile(join(dir, file), 'utf8'))),
  );
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    try {
      await api.createCustomResourceDefinition({ body: crd });
    } catch (err) {
      if (!(err instanceof ApiException) || err.code !== 409) throw err;
      const current = await api.readCustomResourceDefinition({ name });
      crd.metadata = Object.assign(crd.metadata ?? {}, {
        resourceVersion: current.metadata?.resourceVersion,
      });
      await api.replaceCustomResourceDefinition({ name, body: crd });
    }
  }
  const names = crds.map((crd) => crd.metadata?.name ?? '');
  for (const name of names) await waitEstablished(api, name);
  return names;
}

async function waitEstablished(api: ApiextensionsV1Api, name: string): Promise<void> {
  const deadline = Date.now() + ESTABLISH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const crd = await api.readCustomResourceDefinition({ name });
    const established = crd.status?.conditions?.find((c) => c.type === 'Established');
    if (established?.status === 'True') return;
    await sleep(100);
  }
  throw new RigError(`CRD ${name} was not Established within ${ESTABLISH_TIMEOUT_MS / 1000} s`);
}

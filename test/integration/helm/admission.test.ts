import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  AppsV1Api,
  CoreV1Api,
  PolicyV1Api,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { testKubeConfig } from '../support/cluster.js';
import { renderChart, theOne } from './chart.js';

let kc: KubeConfig;
let namespace: string;
let rendered: KubernetesObject[];

const DRY_RUN = { dryRun: 'All', fieldValidation: 'Strict' } as const;

/** A namespace that enforces the Pod Security Standards' restricted profile. */
async function restrictedNamespace(): Promise<string> {
  const name = `helm-psa-${randomBytes(3).toString('hex')}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({
    body: { metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
  });
  return name;
}

beforeAll(async () => {
  kc = testKubeConfig();
  namespace = await restrictedNamespace();
  rendered = await renderChart({ replicas: 2, region: 'us-east-1' }, { namespace });
});

describe('the rendered workload, checked by the apiserver', () => {
  it('is a valid Deployment, Service and PodDisruptionBudget under strict field validation', async () => {
    const deployment = theOne(rendered, 'Deployment');
    const service = theOne(rendered, 'Service');
    const pdb = theOne(rendered, 'PodDisruptionBudget');
    await expect(
      kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body: deployment, ...DRY_RUN }),
    ).resolves.toMatchObject({ kind: 'Deployment' });
    await expect(
      kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace, body: service, ...DRY_RUN }),
    ).resolves.toMatchObject({ kind: 'Service' });
    await expect(
      kc.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({ namespace, body: pdb, ...DRY_RUN }),
    ).resolves.toMatchObject({ kind: 'PodDisruptionBudget' });
  });

  it('runs pods that the restricted Pod Security profile admits', async () => {
    const template = theOne(rendered, 'Deployment').spec!.template;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'operator' }, spec: template.spec! };
    await expect(
      kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace, body: pod, ...DRY_RUN }),
    ).resolves.toMatchObject({ kind: 'Pod' });
  });

  it('would be refused there without its security settings (the check is live)', async () => {
    const spec = structuredClone(theOne(rendered, 'Deployment').spec!.template.spec!);
    for (const container of spec.containers) container.securityContext = {};
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unrestricted' }, spec };
    await expect(
      kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace, body: pod, ...DRY_RUN }),
    ).rejects.toThrow(/violates PodSecurity.*restricted.*allowPrivilegeEscalation/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { scoreManifests, type KubeScoreFinding } from '../../rig/kube-score.js';
import { createTestNamespace, testKubeConfig } from '../support/cluster.js';
import { renderChart, theOne, type Values } from './chart.js';

/** kube-score's grade for a critical finding. */
const CRITICAL = 1;

async function score(values: Values): Promise<KubeScoreFinding[]> {
  const objects = await renderChart(values);
  return scoreManifests(objects.map((obj) => stringify(obj)).join('---\n'));
}

const criticals = (findings: KubeScoreFinding[]): string[] =>
  findings
    .filter((f) => !f.skipped && f.grade === CRITICAL)
    .map((f) => `${f.object} ${f.check}: ${f.comments.join('; ')}`);

function operator(objects: KubernetesObject[]) {
  const deployment = theOne(objects, 'Deployment');
  return { deployment, container: deployment.spec!.template.spec!.containers[0]! };
}

describe('kube-score on the rendered chart', () => {
  it.each<[string, Values]>([
    ['the default values', {}],
    ['an image pinned by digest', { image: { digest: `sha256:${'b'.repeat(64)}` } }],
    [
      'two replicas watching listed namespaces',
      { replicas: 2, namespaces: ['team-a', 'team-b'], metrics: { serviceMonitor: { enabled: true } } },
    ],
  ])('finds nothing critical with %s', async (_, values) => {
    const findings = await score(values);
    expect(findings.map((f) => f.check)).toEqual(
      expect.arrayContaining([
        'pod-networkpolicy',
        'container-resources',
        'container-ephemeral-storage-request-and-limit',
        'container-image-pull-policy',
      ]),
    );
    expect(criticals(findings)).toEqual([]);
  });

  it('still reports a mutable tag pulled IfNotPresent: the waiver covers immutable references only', async () => {
    const findings = await score({ image: { tag: 'latest', pullPolicy: 'IfNotPresent' } });
    expect(criticals(findings)).toEqual(
      expect.arrayContaining([expect.stringContaining('container-image-pull-policy')]),
    );
  });
});

describe('image pull policy', () => {
  it.each<[string, string, Values, boolean]>([
    ['the chart version', 'IfNotPresent', {}, true],
    ['a version tag', 'IfNotPresent', { image: { tag: '0.2.0' } }, true],
    ['a digest', 'IfNotPresent', { image: { tag: 'latest', digest: `sha256:${'c'.repeat(64)}` } }, true],
    ['latest', 'Always', { image: { tag: 'latest' } }, false],
    ['an explicit policy', 'Always', { image: { tag: '0.2.0', pullPolicy: 'Always' } }, false],
  ])('for %s is %s', async (_, policy, values, waived) => {
    const { deployment, container } = operator(await renderChart(values));
    expect(container.imagePullPolicy).toBe(policy);
    expect(deployment.metadata!.annotations?.['kube-score/ignore']).toBe(
      waived ? 'container-image-pull-policy' : undefined,
    );
  });
});

describe('resources', () => {
  it('requests and limits CPU, memory and ephemeral storage', async () => {
    const { container } = operator(await renderChart());
    expect(container.resources).toEqual({
      requests: { cpu: '50m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '1', memory: '384Mi', 'ephemeral-storage': '256Mi' },
    });
  });
});

describe('NetworkPolicy', () => {
  it('lets the operator reach only the API server, AWS over HTTPS and DNS, and be reached on its two ports', async () => {
    const policy = theOne(await renderChart(), 'NetworkPolicy');
    expect(policy.spec!.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'sagemaker-operator', 'app.kubernetes.io/instance': 'ops' },
    });
    expect(policy.spec!.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec!.ingress).toEqual([
      {
        ports: [
          { port: 'metrics', protocol: 'TCP' },
          { port: 'health', protocol: 'TCP' },
        ],
      },
    ]);
    const anywhere = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
    expect(policy.spec!.egress).toEqual([
      {
        to: anywhere,
        ports: [
          { port: 443, protocol: 'TCP' },
          { port: 6443, protocol: 'TCP' },
        ],
      },
      { to: anywhere, ports: [{ port: 443, protocol: 'TCP' }] },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      },
    ]);
  });

  it('takes the addresses and ports from values, and the API server accepts it', async () => {
    const objects = await renderChart({
      networkPolicy: {
        apiServer: { cidrs: ['10.0.0.1/32'], ports: [6443] },
        aws: { cidrs: ['10.20.0.0/16'], ports: [443, 8443] },
        dns: { ports: [53, 5353] },
        ingressFrom: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        ],
        extraEgress: [{ to: [{ ipBlock: { cidr: '10.30.0.5/32' } }], ports: [{ port: 3128 }] }],
      },
    });
    const policy = theOne(objects, 'NetworkPolicy');
    expect(policy.spec!.egress?.map((rule) => [rule.to, rule.ports?.map((p) => p.port)])).toEqual([
      [[{ ipBlock: { cidr: '10.0.0.1/32' } }], [6443]],
      [[{ ipBlock: { cidr: '10.20.0.0/16' } }], [443, 8443]],
      [expect.anything(), [53, 53, 5353, 5353]],
      [[{ ipBlock: { cidr: '10.30.0.5/32' } }], [3128]],
    ]);
    expect((policy.spec!.ingress?.[0] as { from?: unknown } | undefined)?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
    // The rig's apiserver validates it as a cluster would (a server-side dry run).
    const kc = testKubeConfig();
    const namespace = await createTestNamespace(kc, 'helm-netpol');
    policy.metadata!.namespace = namespace;
    await expect(
      KubernetesObjectApi.makeApiClient(kc).create(policy, undefined, 'All'),
    ).resolves.toMatchObject({
      kind: 'NetworkPolicy',
    });
  });

  it('can be turned off', async () => {
    const objects = await renderChart({ networkPolicy: { enabled: false } });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { parseFlags } from '../../../src/flags.js';
import { ALL_KINDS, CRD_KINDS, securityPolicy } from '../../../src/crds/index.js';
import { CHART_DIR, lintChart, ofKind, renderChart, theOne, type Values } from './chart.js';

const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as {
  apiVersion: string;
  appVersion: string;
};

/** Every kind the operator reconciles: its objects, their status and their finalizers. */
const PLURALS = ALL_KINDS.map((kind) => kind.plural);
const OPERATOR_RULES = [
  {
    apiGroups: ['sagemaker.mlops.dev'],
    resources: PLURALS,
    verbs: ['get', 'list', 'watch', 'patch', 'update'],
  },
  {
    apiGroups: ['sagemaker.mlops.dev'],
    resources: PLURALS.map((plural) => `${plural}/status`),
    verbs: ['get', 'patch', 'update'],
  },
  {
    apiGroups: ['sagemaker.mlops.dev'],
    resources: PLURALS.map((plural) => `${plural}/finalizers`),
    verbs: ['update'],
  },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'patch', 'delete'] },
  { apiGroups: ['sagemaker.mlops.dev'], resources: [securityPolicy.plural], verbs: ['get', 'list', 'watch'] },
];
/** Namespaces are cluster-scoped: their role and region annotations are read cluster-wide in every mode. */
const NAMESPACE_RULES = [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }];

function namespaceReaders(objects: KubernetesObject[]): unknown {
  return ofKind(objects, 'ClusterRole').find((r) => r.metadata!.name === 'ops-sagemaker-operator-namespaces')
    ?.rules;
}

const CUSTOMISED: Values = {
  replicas: 2,
  region: 'eu-west-1',
  namespaces: ['team-a', 'team-b'],
  labelSelector: 'team=search,tier!=dev',
  clusterName: 'prod-eu',
  concurrency: 8,
  driftInterval: '30m',
  defaultDeletionPolicy: 'Retain',
  maxApiRate: 2.5,
  sagemakerEndpoint: 'https://api.sagemaker.eu-west-1.vpce.amazonaws.com',
  s3Endpoint: 'https://bucket.vpce-1.s3.eu-west-1.vpce.amazonaws.com',
  identity: { requireNamespaceRole: true, stsEndpoint: 'https://sts.eu-west-1.amazonaws.com' },
  logLevel: 'debug',
  extraArgs: ['--shutdown-timeout=20s'],
  image: { repository: 'registry.example.com/sm-operator', tag: '0.2.0', digest: 'sha256:' + 'a'.repeat(64) },
  serviceAccount: {
    annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/sm-operator' },
  },
  metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' }, interval: '15s' } },
  priorityClassName: 'system-cluster-critical',
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ops', effect: 'NoSchedule' }],
  affinity: {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          topologyKey: 'kubernetes.io/hostname',
          labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'sagemaker-operator' } },
        },
      ],
    },
  },
};

function operatorContainer(objects: KubernetesObject[]) {
  const deployment = theOne(objects, 'Deployment');
  return {
    deployment,
    pod: deployment.spec!.template.spec!,
    container: deployment.spec!.template.spec!.containers[0]!,
  };
}

const kinds = (objects: KubernetesObject[]): string[] => objects.map((o) => o.kind ?? '').sort();

describe('chart metadata', () => {
  it('is a Helm v2-API chart of app version 0.1.0', () => {
    expect(chart).toMatchObject({ apiVersion: 'v2', appVersion: '0.1.0' });
  });
});

describe('helm lint --strict', () => {
  it('passes with the default values', async () => {
    await expect(lintChart()).resolves.toContain('0 chart(s) failed');
  });

  it('passes with every option changed', async () => {
    await expect(lintChart(CUSTOMISED)).resolves.toContain('0 chart(s) failed');
  });
});

describe('helm template with the default values', () => {
  it('renders a cluster-wide single-replica install', async () => {
    const objects = await renderChart();
    expect(kinds(objects)).toEqual([
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'Deployment',
      'NetworkPolicy',
      'Service',
      'ServiceAccount',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ]);
    const operatorRole = ofKind(objects, 'ClusterRole').find(
      (r) => r.metadata!.name === 'ops-sagemaker-operator',
    );
    expect(operatorRole?.rules).toEqual(OPERATOR_RULES);
    for (const binding of ofKind(objects, 'ClusterRoleBinding'))
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'ops-sagemaker-operator', namespace: 'ops' },
      ]);
    expect(namespaceReaders(objects)).toEqual(NAMESPACE_RULES);
  });

  it('runs the operator with the default flags, which the operator accepts', async () => {
    const { container, deployment } = operatorContainer(await renderChart());
    expect(deployment.spec!.replicas).toBe(1);
    expect(container.image).toBe(`ghcr.io/mlops-dev/sagemaker-operator:${chart.appVersion}`);
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual([
      '--concurrency=4',
      '--drift-interval=10m',
      '--sweep-interval=10s',
      '--safety-interval=24h',
      '--poll-interval-min=10s',
      '--poll-interval-max=5m',
      '--reconcile-timeout=5m',
      '--default-deletion-policy=Delete',
      '--leader-elect=false',
      '--metrics-addr=:8080',
      '--health-addr=:8081',
      '--log-level=info',
      '--log-format=json',
      '--max-api-rate=10',
      '--multi-model-retire-grace=10m',
      '--multi-model-copy-concurrency=16',
    ]);
    expect(container.env).toContainEqual({
      name: 'NODE_OPTIONS',
      value: '--max-old-space-size=256 --max-semi-space-size=4',
    });
    const config = parseFlags(container.args!, { AWS_REGION: 'us-east-1' });
    expect(config).toMatchObject({
      region: 'us-east-1',
      namespaces: [],
      leaderElect: false,
      driftIntervalMs: 600_000,
      reconcileTimeoutMs: 300_000,
    });
  });

  it('probes /healthz and /readyz on the health port and exposes metrics on 8080', async () => {
    const { container } = operatorContainer(await renderChart());
    expect(container.ports).toEqual([
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
      { name: 'health', containerPort: 8081, protocol: 'TCP' },
    ]);
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
  });

  it('runs with the restricted pod security settings and a read-only root filesystem', async () => {
    const { pod, container } = operatorContainer(await renderChart());
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources?.requests).toBeDefined();
  });

  it('leaves CRDs to crds/, which helm renders only with --include-crds', async () => {
    const crdFiles = readdirSync(join(CHART_DIR, 'crds'));
    expect(crdFiles).toHaveLength(CRD_KINDS.length);
    expect(ofKind(await renderChart(), 'CustomResourceDefinition')).toEqual([]);
    const crds = ofKind(await renderChart({}, { includeCrds: true }), 'CustomResourceDefinition');
    expect(crds.map((crd) => `${crd.metadata!.name!}.yaml`).sort()).toEqual([...crdFiles].sort());
  });
});

describe('helm template with every option changed', () => {
  it('passes every flag, which the operator accepts', async () => {
    const { container } = operatorContainer(await renderChart(CUSTOMISED));
    const config = parseFlags(container.args!, {});
    expect(config).toMatchObject({
      region: 'eu-west-1',
      namespaces: ['team-a', 'team-b'],
      labelSelector: 'team=search,tier!=dev',
      clusterName: 'prod-eu',
      concurrency: 8,
      driftIntervalMs: 1_800_000,
      defaultDeletionPolicy: 'Retain',
      leaderElect: true,
      leaderElectionId: 'ops-sagemaker-operator',
      metricsAddr: ':8080',
      healthAddr: ':8081',
      logLevel: 'debug',
      logFormat: 'json',
      sagemakerEndpoint: 'https://api.sagemaker.eu-west-1.vpce.amazonaws.com',
      s3Endpoint: 'https://bucket.vpce-1.s3.eu-west-1.vpce.amazonaws.com',
      stsEndpoint: 'https://sts.eu-west-1.amazonaws.com',
      requireNamespaceRole: true,
      maxApiRate: 2.5,
      shutdownTimeoutMs: 20_000,
    });
  });

  it('pins the image by digest and applies the scheduling options', async () => {
    const { pod, container } = operatorContainer(await renderChart(CUSTOMISED));
    expect(container.image).toBe(`registry.example.com/sm-operator:0.2.0@sha256:${'a'.repeat(64)}`);
    expect(pod.priorityClassName).toBe('system-cluster-critical');
    expect(pod.nodeSelector).toEqual(CUSTOMISED.nodeSelector);
    expect(pod.tolerations).toEqual(CUSTOMISED.tolerations);
    expect(pod.affinity).toEqual(CUSTOMISED.affinity);
  });

  it('grants access per watched namespace, and cluster-wide only the reading of Namespaces', async () => {
    const objects = await renderChart(CUSTOMISED);
    expect(ofKind(objects, 'ClusterRole').map((r) => r.rules)).toEqual([NAMESPACE_RULES]);
    expect(ofKind(objects, 'ClusterRoleBinding').map((b) => b.roleRef.name)).toEqual([
      'ops-sagemaker-operator-namespaces',
    ]);
    const operatorRoles = ofKind(objects, 'Role').filter((r) => r.metadata!.namespace !== 'ops');
    expect(operatorRoles.map((r) => r.metadata!.namespace)).toEqual(['team-a', 'team-b']);
    for (const role of operatorRoles) expect(role.rules).toEqual(OPERATOR_RULES);
    const bindings = ofKind(objects, 'RoleBinding').filter((b) => b.metadata!.namespace !== 'ops');
    expect(bindings.map((b) => [b.metadata!.namespace, b.roleRef.name, b.subjects])).toEqual(
      ['team-a', 'team-b'].map((ns) => [
        ns,
        'ops-sagemaker-operator',
        [{ kind: 'ServiceAccount', name: 'ops-sagemaker-operator', namespace: 'ops' }],
      ]),
    );
  });

  it('lets the replicas elect a leader on their own Lease in the release namespace', async () => {
    const objects = await renderChart(CUSTOMISED);
    const leaderRole = ofKind(objects, 'Role').find((r) => r.metadata!.namespace === 'ops');
    expect(leaderRole?.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['ops-sagemaker-operator'],
        verbs: ['get', 'update'],
      },
    ]);
  });

  it('keeps one replica available during drains', async () => {
    const pdb = theOne(await renderChart(CUSTOMISED), 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: {
        matchLabels: { 'app.kubernetes.io/name': 'sagemaker-operator', 'app.kubernetes.io/instance': 'ops' },
      },
    });
  });

  it('annotates the ServiceAccount for IRSA and adds a ServiceMonitor', async () => {
    const objects = await renderChart(CUSTOMISED);
    expect(theOne(objects, 'ServiceAccount').metadata!.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/sm-operator',
    });
    const monitor = theOne(objects, 'ServiceMonitor');
    expect(monitor.metadata!.labels).toMatchObject({ release: 'prometheus' });
    expect(monitor.spec).toMatchObject({
      namespaceSelector: { matchNames: ['ops'] },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
    });
  });
});

describe('helm template with a single replica', () => {
  it('elects a leader only when asked and never adds a PodDisruptionBudget', async () => {
    const objects = await renderChart({ leaderElection: { enabled: true } });
    expect(operatorContainer(objects).container.args).toContain('--leader-elect=true');
    expect(ofKind(objects, 'Role')).toHaveLength(1);
    expect(ofKind(objects, 'PodDisruptionBudget')).toEqual([]);
  });
});

describe('helm template refuses', () => {
  it.each([
    [{ replicas: 2, leaderElection: { enabled: false } }, 'replicas > 1 needs leader election'],
    [
      { metrics: { service: { enabled: false }, serviceMonitor: { enabled: true } } },
      'needs metrics.service.enabled',
    ],
    [{ serviceAccount: { create: false } }, 'serviceAccount.name is required'],
    [{ defaultDeletionPolicy: 'delete' }, "value must be one of 'Delete', 'Retain'"],
    [{ driftInterval: 600 }, 'got number, want string'],
    [{ replica: 2 }, "additional properties 'replica' not allowed"],
    [{ logFormat: 'text' }, "value must be one of 'json', 'pretty'"],
  ])('%j', async (values, message) => {
    await expect(renderChart(values)).rejects.toThrow(message);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  KubernetesObject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1CustomResourceDefinition,
  V1Deployment,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { exec } from '../../rig/exec.js';
import { ensureHelm } from '../../rig/helm.js';

export const CHART_DIR = fileURLToPath(new URL('../../../deploy/helm/sagemaker-operator', import.meta.url));

const HELM_TIMEOUT_MS = 60_000;

export type Values = Record<string, unknown>;

/** Runs helm with the values written to a file, as a user's values.yaml would be. */
async function helm(args: string[], values: Values): Promise<string> {
  const helmBin = await ensureHelm((line) => {
    console.log(`[helm] ${line}`);
  });
  const dir = await mkdtemp(join(tmpdir(), 'chart-values-'));
  try {
    const file = join(dir, 'values.yaml');
    await writeFile(file, stringify(values));
    return await exec(helmBin, [...args, '--values', file], { timeoutMs: HELM_TIMEOUT_MS });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function lintChart(values: Values = {}): Promise<string> {
  return helm(['lint', '--strict', CHART_DIR], values);
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  includeCrds?: boolean;
}

/** `helm template` output as objects, in the order helm would install them. */
export async function renderChart(
  values: Values = {},
  options: RenderOptions = {},
): Promise<KubernetesObject[]> {
  const args = ['template', options.release ?? 'ops', CHART_DIR, '--namespace', options.namespace ?? 'ops'];
  if (options.includeCrds) args.push('--include-crds');
  const output = await helm(args, values);
  return parseAllDocuments(output)
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((obj): obj is KubernetesObject => obj !== null);
}

/** The kinds the chart renders, with their client-node types. */
export interface RenderedKinds {
  ServiceAccount: V1ServiceAccount;
  ClusterRole: V1ClusterRole;
  ClusterRoleBinding: V1ClusterRoleBinding;
  Role: V1Role;
  RoleBinding: V1RoleBinding;
  Service: V1Service;
  Deployment: V1Deployment;
  PodDisruptionBudget: V1PodDisruptionBudget;
  NetworkPolicy: V1NetworkPolicy;
  ServiceMonitor: KubernetesObject & { spec: unknown };
  CustomResourceDefinition: V1CustomResourceDefinition;
}

export function ofKind<K extends keyof RenderedKinds>(
  objects: KubernetesObject[],
  kind: K,
): RenderedKinds[K][] {
  return objects.filter((obj) => obj.kind === kind) as RenderedKinds[K][];
}

export function theOne<K extends keyof RenderedKinds>(
  objects: KubernetesObject[],
  kind: K,
): RenderedKinds[K] {
  const matches = ofKind(objects, kind);
  if (matches.length !== 1) throw new Error(`expected one ${kind}, rendered ${String(matches.length)}`);
  return matches[0]!;
}

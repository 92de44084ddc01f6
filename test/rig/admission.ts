import { fileURLToPath } from 'node:url';
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { ADMISSION_TEMPLATE } from '../../src/crds/admission-policy.js';
import { exec } from './exec.js';
import { ensureHelm } from './helm.js';

const CHART_DIR = fileURLToPath(new URL('../../deploy/helm/sagemaker-operator', import.meta.url));

/** The release and namespace docs/helm.md installs the chart as. */
const RELEASE = 'sagemaker-operator';

const HELM_TIMEOUT_MS = 60_000;

/**
 * The chart's SecurityPolicy admission (its ValidatingAdmissionPolicy and binding), rendered by helm
 * from the chart's own template with its default values, as `helm install` would create them.
 */
export async function renderAdmission(
  log: (line: string) => void = () => undefined,
): Promise<KubernetesObject[]> {
  const helm = await ensureHelm(log);
  const output = await exec(
    helm,
    [
      'template',
      RELEASE,
      CHART_DIR,
      '--namespace',
      RELEASE,
      '--show-only',
      `templates/${ADMISSION_TEMPLATE}`,
    ],
    { timeoutMs: HELM_TIMEOUT_MS },
  );
  return parseAllDocuments(output)
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((obj): obj is KubernetesObject => obj !== null);
}

/** Creates the chart's SecurityPolicy admission in a new cluster; returns the kinds and names created. */
export async function installAdmission(
  kc: KubeConfig,
  log: (line: string) => void = () => undefined,
): Promise<string[]> {
  const objects = await renderAdmission(log);
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of objects) await api.create(obj);
  return objects.map((obj) => `${obj.kind ?? ''} ${obj.metadata?.name ?? ''}`);
}

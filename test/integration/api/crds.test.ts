import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiException,
  ApiextensionsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { ALL_KINDS, GROUP, VERSION } from '../../../src/crds/index.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';
import { createTestNamespace, customObjects, getJson, testKubeConfig } from '../support/cluster.js';

let kc: KubeConfig;
let namespace: string;

beforeAll(async () => {
  kc = testKubeConfig();
  namespace = await createTestNamespace(kc, 'crds');
});

function newObject(kind: string, name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind,
    metadata: { name, namespace },
    spec: { ...MINIMAL_SPECS[kind], ...spec },
  };
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiException) return String(err.body);
    throw err;
  }
  throw new Error('the apiserver accepted the object');
}

describe.each(ALL_KINDS.map((kind) => [kind.kind, kind] as const))('%s CRD', (_, kind) => {
  const plural = kind.plural;
  const create = (body: object): Promise<object> =>
    customObjects(kc).createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural,
      body,
    });

  it('is Established, namespaced and in the sagemaker category with its short name', async () => {
    const crd = await kc
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: `${plural}.${GROUP}` });
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.categories).toEqual(['sagemaker']);
    expect(crd.spec.names.shortNames).toEqual(kind.shortNames);
  });

  it('serves the status subresource: status writes go through /status only', async () => {
    const api = customObjects(kc);
    const name = `status-${plural}`;
    await create({ ...newObject(kind.kind, name, {}), status: { observedGeneration: 7 } });
    const created = (await api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural,
      name,
    })) as {
      metadata: { resourceVersion: string; generation: number };
      status?: unknown;
    };
    expect(created.status).toBeUndefined();

    const condition = {
      type: 'Ready',
      status: 'False',
      reason: 'Creating',
      message: 'creating',
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      observedGeneration: created.metadata.generation,
    };
    const updated = (await api.replaceNamespacedCustomObjectStatus({
      group: GROUP,
      version: VERSION,
      namespace,
      plural,
      name,
      body: { ...created, status: { observedGeneration: 1, conditions: [condition] } },
    })) as { status: { conditions: unknown[] }; metadata: { generation: number } };
    expect(updated.status.conditions).toEqual([condition]);
    expect(updated.metadata.generation).toBe(created.metadata.generation);
  });

  it('prints its columns in kubectl get', async () => {
    const name = `columns-${plural}`;
    await create(newObject(kind.kind, name, {}));
    const table = (await getJson(
      kc,
      `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${plural}/${name}`,
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    )) as { columnDefinitions: { name: string }[] };
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      ...kind.printerColumns.map((c) => c.name),
    ]);
  });

  it('prints READY, SYNCED and REASON first, from the Ready and Synced conditions', async () => {
    const api = customObjects(kc);
    const name = `conditions-${plural}`;
    const created = (await create(newObject(kind.kind, name, {}))) as { metadata: { generation: number } };
    const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const conditions = [
      ['Synced', 'False', 'AccessDenied'],
      ['Ready', 'False', 'WaitingForReference'],
    ].map(([type, status, reason]) => ({
      type,
      status,
      reason,
      message: 'm',
      lastTransitionTime: at,
      observedGeneration: created.metadata.generation,
    }));
    await api.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace, plural, name, body: { status: { conditions } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const table = (await getJson(
      kc,
      `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${plural}/${name}`,
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    )) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(table.columnDefinitions.slice(0, 4).map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Synced',
      'Reason',
    ]);
    expect(table.rows[0]?.cells.slice(0, 4)).toEqual([name, 'False', 'False', 'WaitingForReference']);
    expect(table.columnDefinitions.map((c) => c.name)).toContain('Age');
  });

  it('rejects an invalid deletionPolicy with the allowed values', async () => {
    const message = await rejection(create(newObject(kind.kind, 'bad-policy', { deletionPolicy: 'Keep' })));
    expect(message).toContain(
      'spec.deletionPolicy: Unsupported value: \\"Keep\\": supported values: \\"Delete\\", \\"Retain\\"',
    );
  });

  // A model version (ModelPackage) has no tags and nothing to adopt by name: SageMaker numbers it.
  if ('tags' in kind.spec.properties) {
    it('rejects reserved ownership tag keys', async () => {
      const message = await rejection(
        create(newObject(kind.kind, 'bad-tags', { tags: { 'mlops.dev/owner': 'me' } })),
      );
      expect(message).toContain('must not start with \\"mlops.dev/\\" or \\"aws:\\" (reserved)');
    });
  }

  // Nor has a MultiModelSet: it copies S3 objects, there is no SageMaker resource to adopt.
  if ('adoptExisting' in kind.spec.properties) {
    it('rejects adoptExisting without an explicit SageMaker name', async () => {
      const message = await rejection(create(newObject(kind.kind, 'bad-adopt', { adoptExisting: true })));
      expect(message).toContain('adoptExisting needs');
    });
  }
});

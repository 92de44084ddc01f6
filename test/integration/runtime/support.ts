import { setTimeout as sleep } from 'node:timers/promises';
import { ApiextensionsV1Api, CustomObjectsApi, EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import type { EventsV1Event } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { isConflictError } from '../../../src/runtime/api-errors.js';
import type { KindDescriptor, KubeObject } from '../../../src/runtime/index.js';
import { apiserverMetrics, apiserverWrites } from '../../rig/apiserver-http.js';

export const TEST_GROUP = 'test.mlops.dev';

export interface Widget extends KubeObject {
  spec: { size?: number; mode?: string; gadget?: string; deletionPolicy?: string; sleepMs?: number };
  status?: Record<string, unknown>;
}

/** A test-only kind, so runtime tests depend on no SageMaker kind; each test file uses its own. */
export function testKind(kind: string): KindDescriptor<Widget> {
  return { group: TEST_GROUP, version: 'v1', plural: `${kind.toLowerCase()}s`, kind };
}

export async function installTestCrd(kc: KubeConfig, kind: KindDescriptor): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const name = `${kind.plural}.${kind.group}`;
  const open = { type: 'object', x_kubernetes_preserve_unknown_fields: true };
  try {
    await api.createCustomResourceDefinition({
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name },
        spec: {
          group: kind.group,
          scope: 'Namespaced',
          names: {
            kind: kind.kind,
            plural: kind.plural,
            singular: kind.kind.toLowerCase(),
            listKind: `${kind.kind}List`,
          },
          versions: [
            {
              name: kind.version,
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: { openAPIV3Schema: { type: 'object', properties: { spec: open, status: open } } },
            },
          ],
        },
      },
    });
  } catch (err) {
    if (!isConflictError(err)) throw err;
  }
  await waitFor(async () => {
    const crd = await api.readCustomResourceDefinition({ name });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  }, 30_000);
}

export function testLogger(): Logger {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

export function kubeConfigFrom(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path ?? '');
  return kc;
}

/** Polls until `check` is truthy; returns its value. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: last });
    await sleep(50);
  }
}

export class Objects {
  readonly api: CustomObjectsApi;

  constructor(
    readonly kc: KubeConfig,
    readonly kind: KindDescriptor,
    readonly namespace: string,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  private get base(): { group: string; version: string; plural: string; namespace: string } {
    return {
      group: this.kind.group,
      version: this.kind.version,
      plural: this.kind.plural,
      namespace: this.namespace,
    };
  }

  async create(name: string, spec: Widget['spec'], extra: Partial<Widget> = {}): Promise<Widget> {
    return (await this.api.createNamespacedCustomObject({
      ...this.base,
      body: {
        apiVersion: `${this.kind.group}/${this.kind.version}`,
        kind: this.kind.kind,
        metadata: { name },
        spec,
        ...extra,
      },
    })) as Widget;
  }

  async get(name: string): Promise<Widget | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({ ...this.base, name })) as Widget;
    } catch {
      return undefined;
    }
  }

  /** Replaces the spec (read-modify-write with retry on conflict). */
  async setSpec(name: string, spec: Widget['spec']): Promise<void> {
    for (;;) {
      const current = await this.get(name);
      if (!current) throw new Error(`${name} not found`);
      try {
        await this.api.replaceNamespacedCustomObject({ ...this.base, name, body: { ...current, spec } });
        return;
      } catch (err) {
        if (!isConflictError(err)) throw err;
      }
    }
  }

  async setStatus(name: string, status: Record<string, unknown>): Promise<void> {
    const current = await this.get(name);
    await this.api.replaceNamespacedCustomObjectStatus({ ...this.base, name, body: { ...current, status } });
  }

  async delete(name: string): Promise<void> {
    await this.api.deleteNamespacedCustomObject({ ...this.base, name });
  }
}

export async function eventsFor(kc: KubeConfig, namespace: string, name: string): Promise<EventsV1Event[]> {
  const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
  return list.items.filter((e) => e.regarding?.name === name);
}

/** Sum of the apiserver's own counter of write requests (POST, PUT, PATCH, DELETE) for one resource. */
export async function apiserverWritesFor(kc: KubeConfig, plural: string): Promise<number> {
  return apiserverWrites(await apiserverMetrics(kc), plural);
}

/** The value of one sample in Prometheus text, or undefined. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

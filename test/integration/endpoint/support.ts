import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import { role } from '../../emulator/test-harness.js';
import { condition, type KubeObjectOf, type OperatorHarness } from '../support/operator.js';

export type Endpoint = KubeObjectOf<EndpointSpec, EndpointStatus>;
export const PLURAL = 'endpoints';
export const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';

/** One model behind one variant; `image` and `weight` are what the update tests change. */
export function endpointSpec(
  h: OperatorHarness,
  overrides: Partial<EndpointSpec> = {},
  image = IMAGE,
  weight = 1,
): EndpointSpec {
  return {
    models: [
      {
        modelName: 'model',
        primaryContainer: { image, modelDataUrl: `s3://${h.cloud.bucket}/model/model.tar.gz` },
        executionRoleArn: role,
      },
    ],
    productionVariants: [
      {
        variantName: 'AllTraffic',
        modelName: 'model',
        instanceType: 'ml.m5.xlarge',
        initialInstanceCount: 1,
        initialVariantWeight: weight,
      },
    ],
    ...overrides,
  };
}

/** Ready and InService, on another config than `previousConfig` when one is given. */
export const inService = (previousConfig?: string) => (o: Endpoint | undefined) =>
  o?.status?.endpointStatus === 'InService' &&
  condition(o, 'Ready')?.status === 'True' &&
  (previousConfig === undefined || o.status.endpointConfigName !== previousConfig);

export async function callsTo(h: OperatorHarness, resource?: string, operation?: string) {
  return (await h.cloud.emulator.control.calls({ resource, operation })).calls;
}

/**
 * The calls that create an endpoint's resources (its Models, EndpointConfigs, the endpoint), in the
 * order they came: all are named after the endpoint.
 */
export async function endpointCreates(h: OperatorHarness, endpointName: string) {
  const creates = await Promise.all(
    ['CreateModel', 'CreateEndpointConfig', 'CreateEndpoint'].map((operation) =>
      callsTo(h, undefined, operation),
    ),
  );
  return creates
    .flat()
    .filter((c) => c.resource?.startsWith(endpointName))
    .sort((a, b) => a.seq - b.seq);
}

export async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function createInService(
  h: OperatorHarness,
  name: string,
  spec: EndpointSpec,
): Promise<Endpoint | undefined> {
  await h.create(PLURAL, 'Endpoint', name, spec);
  return h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, name, inService());
}

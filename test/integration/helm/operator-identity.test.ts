import { describe, expect, it } from '@jest/globals';
import { AuthenticationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { testKubeConfig } from '../support/cluster.js';
import { asOperatorServiceAccount } from '../support/operator-identity.js';

/** Every OperatorHarness runs as the chart's ServiceAccount; this shows the requests really are that user's. */
describe("the operator's identity in the integration suite", () => {
  const kc = asOperatorServiceAccount(testKubeConfig());

  it("is the chart's ServiceAccount, with the service-account groups", async () => {
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    expect(review.status?.userInfo).toMatchObject({
      username: 'system:serviceaccount:sagemaker-operator:rig-sagemaker-operator',
      groups: expect.arrayContaining([
        'system:serviceaccounts',
        'system:serviceaccounts:sagemaker-operator',
      ]) as unknown,
    });
  });

  it('lists what the chart grants and is refused what it does not', async () => {
    await expect(
      kc
        .makeApiClient(CustomObjectsApi)
        .listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'trainingjobs' }),
    ).resolves.toMatchObject({ items: expect.any(Array) as unknown });
    await expect(kc.makeApiClient(CoreV1Api).listSecretForAllNamespaces()).rejects.toMatchObject({
      code: 403,
    });
    await expect(
      kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: 'default',
        plural: 'trainingjobs',
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'TrainingJob',
          metadata: { name: 'not-mine' },
          spec: {},
        },
      }),
    ).rejects.toMatchObject({ code: 403 });
  });
});

import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import { role } from '../../emulator/test-harness.js';
import { condition, type OperatorHarness } from '../support/operator.js';
import { until, type Endpoint } from '../endpoint/support.js';

/* Endpoints that follow the model registry, and a registry changed outside the cluster (by the SDK). */

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';

/** A group registered outside the cluster. */
export async function registryGroup(h: OperatorHarness, name: string): Promise<string> {
  const group = `${h.namespace}-${name}`;
  await h.cloud.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
  return group;
}

/** A version as a pipeline registers it; its model data under `model/` of the rig's bucket. */
export async function registerVersion(
  h: OperatorHarness,
  group: string,
  model: string,
  approved = false,
): Promise<string> {
  const { ModelPackageArn } = await h.cloud.sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      InferenceSpecification: {
        Containers: [{ Image: IMAGE, ModelDataUrl: `s3://${h.cloud.bucket}/${model}/model.tar.gz` }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
      ModelApprovalStatus: approved ? 'Approved' : 'PendingManualApproval',
    }),
  );
  return ModelPackageArn!;
}

/** UpdateModelPackage as a person in Studio would, once the new version can be read (eventual consistency). */
export async function approve(
  h: OperatorHarness,
  arn: string,
  status: 'Approved' | 'Rejected',
): Promise<void> {
  await until(() =>
    h.cloud.sagemaker
      .send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: status }))
      .then(
        () => true,
        (err: unknown) => {
          if (String(err).includes('does not exist.')) return false;
          throw err;
        },
      ),
  );
}

type Container = NonNullable<EndpointSpec['models'][number]['primaryContainer']>;

/** One model from the registry behind one variant, updated blue/green with a rollback alarm. */
export function followingSpec(container: Container): EndpointSpec {
  return {
    models: [{ modelName: 'model', primaryContainer: container, executionRoleArn: role }],
    productionVariants: [
      {
        variantName: 'AllTraffic',
        modelName: 'model',
        instanceType: 'ml.m5.xlarge',
        initialInstanceCount: 1,
      },
    ],
    deploymentConfig: {
      blueGreenUpdatePolicy: {
        trafficRoutingConfiguration: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
      },
      autoRollbackConfiguration: { alarms: [{ alarmName: 'model-5xx' }] },
    },
  };
}

/** InService on the planned config, serving `version` of its registry source. */
export const serving = (version: number) => (o: Endpoint | undefined) =>
  o?.status?.endpointStatus === 'InService' &&
  condition(o, 'Ready')?.status === 'True' &&
  o.status.modelPackages?.[0]?.modelPackageVersion === version;

export const waitServing = (h: OperatorHarness, name: string, version: number) =>
  h.waitFor<EndpointSpec, EndpointStatus>('endpoints', name, serving(version), 60_000);

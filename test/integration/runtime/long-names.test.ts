import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { MAX_NAME_LENGTH, sagemakerName } from '../../../src/aws/naming.js';
import { ownershipTags, TAG_OWNER, TAG_UID } from '../../../src/aws/tags.js';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { role } from '../../emulator/test-harness.js';
import { endpointSpec, inService, PLURAL as ENDPOINTS, until } from '../endpoint/support.js';
import {
  CLUSTER_NAME,
  condition,
  eventsAbout,
  OperatorHarness,
  type KubeObjectOf,
} from '../support/operator.js';

/*
 * Kubernetes object names go up to 253 characters; every name the operator derives from them (the
 * SageMaker name, the ownership tag values, the names of the events it records) must stay within
 * its own limit, and such an object must live and die like any other.
 */

const TRAINING_JOBS = 'trainingjobs';
const FINALIZER = 'sagemaker.mlops.dev/finalizer';
const SAGEMAKER_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** A valid object name of exactly `length` characters: letters in dot-separated labels of 49. */
function longName(prefix: string, length: number): string {
  const filler = Array.from({ length }, (_, i) => (i % 50 === 49 ? '.' : String.fromCharCode(97 + (i % 26))));
  return (prefix + filler.join('')).slice(0, length).replace(/\.$/, 'z');
}

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('long-names');
});
afterAll(async () => {
  await h.stop();
});

async function tagsOf(arn: string): Promise<Tag[]> {
  return (await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? [];
}

/** The ownership tags of a resource are within SageMaker's limits and name exactly this object. */
function expectOwnedBy(tags: Tag[], obj: { kind: string; metadata: { name: string; uid: string } }): void {
  for (const tag of tags) expect(tag.Value).toMatch(SAGEMAKER_TAG_VALUE);
  const expected = ownershipTags({
    kind: obj.kind,
    namespace: h.namespace,
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    clusterName: CLUSTER_NAME,
  });
  expect(tags).toEqual(expect.arrayContaining(expected));
  expect(tags.find((t) => t.Key === TAG_UID)?.Value).toBe(obj.metadata.uid);
  expect(tags.find((t) => t.Key === TAG_OWNER)?.Value?.length).toBeLessThanOrEqual(256);
}

async function eventReasons(name: string): Promise<string[]> {
  return (await eventsAbout(h, name)).map((e) => e.reason);
}

async function absent(describe: Promise<unknown>): Promise<boolean> {
  return describe.then(
    () => false,
    () => true,
  );
}

describe('objects with the longest names Kubernetes allows', () => {
  it('a TrainingJob with a 253-character name runs to Completed, records events and is deleted', async () => {
    const name = longName('train-', 253);
    expect(name).toHaveLength(253);
    const spec: TrainingJobSpec = {
      roleArn: role,
      algorithmSpecification: {
        trainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1',
        trainingInputMode: 'File',
      },
      inputDataConfig: [
        {
          channelName: 'train',
          dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: `s3://${h.cloud.bucket}/train` } },
        },
      ],
      outputDataConfig: { s3OutputPath: `s3://${h.cloud.bucket}/output` },
      resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
      tags: { équipe: 'données ml' },
    };
    await h.create(TRAINING_JOBS, 'TrainingJob', name, spec);
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      TRAINING_JOBS,
      name,
      (o) => o?.status?.trainingJobStatus === 'Completed' || condition(o, 'Synced')?.status === 'False',
    );
    expect(condition(job, 'Synced')).toEqual(expect.objectContaining({ status: 'True' }));
    expect(condition(job, 'Ready')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(job?.metadata.finalizers).toContain(FINALIZER);

    const jobName = sagemakerName(h.namespace, name);
    expect(job?.status?.trainingJobName).toBe(jobName);
    expect(jobName.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    const described = await h.cloud.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: jobName }),
    );
    const tags = await tagsOf(described.TrainingJobArn ?? '');
    expectOwnedBy(tags, job as KubeObjectOf<TrainingJobSpec, TrainingJobStatus>);
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'équipe', Value: 'données ml' }]));

    await until(async () => (await eventReasons(name)).includes('Completed'));
    expect(await eventReasons(name)).toEqual(expect.arrayContaining(['Creating', 'Completed']));

    await h.delete(TRAINING_JOBS, name);
    await h.waitFor(TRAINING_JOBS, name, (o) => o === undefined);
    expect(
      await absent(h.cloud.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }))),
    ).toBe(true);
  });

  it('an Endpoint with a 240-character name becomes Ready, records events and is deleted with its models and config', async () => {
    const name = longName('serve-', 240);
    expect(name).toHaveLength(240);
    await h.create(ENDPOINTS, 'Endpoint', name, endpointSpec(h, { tags: { team: 'ml' } }));
    const ep = await h.waitFor<EndpointSpec, EndpointStatus>(
      ENDPOINTS,
      name,
      (o) => inService()(o) || condition(o, 'Synced')?.status === 'False',
    );
    expect(condition(ep, 'Synced')).toEqual(expect.objectContaining({ status: 'True' }));
    expect(condition(ep, 'Ready')).toMatchObject({ status: 'True' });
    expect(ep?.metadata.finalizers).toContain(FINALIZER);

    const endpointName = sagemakerName(h.namespace, name);
    expect(ep?.status?.endpointName).toBe(endpointName);
    expect(endpointName.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    const owner = ep as KubeObjectOf<EndpointSpec, EndpointStatus>;
    const configName = ep?.status?.endpointConfigName ?? '';
    const modelNames = ep?.status?.modelNames ?? [];
    expect(configName).not.toBe('');
    expect(modelNames).toHaveLength(1);
    const endpoint = await h.cloud.sagemaker.send(
      new DescribeEndpointCommand({ EndpointName: endpointName }),
    );
    const config = await h.cloud.sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: configName }),
    );
    const model = await h.cloud.sagemaker.send(new DescribeModelCommand({ ModelName: modelNames[0] }));
    for (const arn of [endpoint.EndpointArn, config.EndpointConfigArn, model.ModelArn]) {
      expectOwnedBy(await tagsOf(arn ?? ''), owner);
    }

    await until(async () => (await eventReasons(name)).includes('InService'));
    expect(await eventReasons(name)).toEqual(expect.arrayContaining(['Creating', 'InService']));

    await h.delete(ENDPOINTS, name);
    await h.waitFor(ENDPOINTS, name, (o) => o === undefined);
    expect(
      await absent(h.cloud.sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }))),
    ).toBe(true);
    expect(
      await absent(
        h.cloud.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName })),
      ),
    ).toBe(true);
    expect(await absent(h.cloud.sagemaker.send(new DescribeModelCommand({ ModelName: modelNames[0] })))).toBe(
      true,
    );
  });
});

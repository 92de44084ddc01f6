import { describe, expect, it } from '@jest/globals';
import {
  baselinePlan,
  definitionRequest,
  monitorImage,
  scheduleConfig,
  scheduleMatches,
} from '../../../../src/controllers/monitoring-schedule/plan.js';
import type { MonitoringScheduleSpec } from '../../../../src/crds/monitoring-schedule.js';
import { ANALYZER_ACCOUNTS } from '../../../../src/controllers/monitoring-schedule/images.js';
import { readFileSync } from 'node:fs';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const tags = [{ Key: 'mlops.dev/uid', Value: 'uid' }];

const spec = (instanceType: 'ml.m5.xlarge' | 'ml.m5.2xlarge' = 'ml.m5.xlarge'): MonitoringScheduleSpec => ({
  monitoringType: 'ModelQuality',
  endpointRef: { name: 'served' },
  schedule: { scheduleExpression: 'cron(0 * ? * * *)' },
  modelQualityJobDefinition: {
    modelQualityAppSpecification: { problemType: 'BinaryClassification' },
    modelQualityJobInput: {
      endpointInput: {
        localPath: '/opt/ml/processing/input',
        inferenceAttribute: '0',
        probabilityAttribute: '1',
      },
      groundTruthS3Input: { s3Uri: 's3://bucket/ground-truth' },
    },
    modelQualityJobOutputConfig: {
      monitoringOutputs: [
        { s3Output: { s3Uri: 's3://bucket/reports/', localPath: '/opt/ml/processing/output' } },
      ],
    },
    jobResources: { clusterConfig: { instanceType, instanceCount: 1, volumeSizeInGB: 20 } },
    roleArn: ROLE,
  },
  baseline: {
    fromDataset: { s3Uri: 's3://bucket/validation.csv', datasetFormat: { csv: { header: true } } },
  },
});

describe('definitionRequest', () => {
  it("maps the type's definition, fills image, endpoint and baseline, and names it by content", () => {
    const request = definitionRequest(
      spec(),
      'ns-quality',
      'uid-1',
      'ns-served',
      'image:1',
      { constraintsUri: 's3://c' },
      tags,
    );
    expect(request.JobDefinitionName).toMatch(/^ns-quality-[0-9a-f]{8}$/);
    expect(request).toMatchObject({
      ModelQualityAppSpecification: { ProblemType: 'BinaryClassification', ImageUri: 'image:1' },
      ModelQualityJobInput: {
        EndpointInput: {
          EndpointName: 'ns-served',
          LocalPath: '/opt/ml/processing/input',
          InferenceAttribute: '0',
        },
        GroundTruthS3Input: { S3Uri: 's3://bucket/ground-truth' },
      },
      ModelQualityBaselineConfig: { ConstraintsResource: { S3Uri: 's3://c' } },
      RoleArn: ROLE,
      Tags: tags,
    });
    const again = definitionRequest(
      spec(),
      'ns-quality',
      'uid-1',
      'ns-served',
      'image:1',
      { constraintsUri: 's3://c' },
      [],
    );
    expect(again.JobDefinitionName).toBe(request.JobDefinitionName);
    const changed = definitionRequest(
      spec('ml.m5.2xlarge'),
      'ns-quality',
      'uid-1',
      'ns-served',
      'image:1',
      { constraintsUri: 's3://c' },
      tags,
    );
    expect(changed.JobDefinitionName).not.toBe(request.JobDefinitionName);
    const otherOwner = definitionRequest(
      spec(),
      'ns-quality',
      'uid-2',
      'ns-served',
      'image:1',
      { constraintsUri: 's3://c' },
      tags,
    );
    expect(otherOwner.JobDefinitionName).toMatch(/^ns-quality-[0-9a-f]{8}$/);
    expect(otherOwner.JobDefinitionName).not.toBe(request.JobDefinitionName);
  });

  it("defaults the image to the region's analyzer, and knows no image for an unlisted region", () => {
    expect(monitorImage(spec(), 'eu-west-1')).toBe(
      '468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer',
    );
    expect(monitorImage(spec(), 'ap-south-2')).toBeUndefined();
  });

  it("names the registry of every region the analyzer is published in, with its partition's domain", () => {
    expect(monitorImage(spec(), 'ap-southeast-3')).toBe(
      '669540362728.dkr.ecr.ap-southeast-3.amazonaws.com/sagemaker-model-monitor-analyzer',
    );
    expect(monitorImage(spec(), 'cn-north-1')).toBe(
      '453000072557.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-model-monitor-analyzer',
    );
    expect(monitorImage(spec(), 'us-isof-east-1')).toBe(
      '853188333426.dkr.ecr.us-isof-east-1.csp.hci.ic.gov/sagemaker-model-monitor-analyzer',
    );
  });

  it('is documented: docs/monitoring.md lists every region and registry of the table, and no other', () => {
    const docs = readFileSync(new URL('../../../../docs/monitoring.md', import.meta.url), 'utf8');
    const listed = [...docs.matchAll(/^\| ([a-z]+(?:-[a-z]+)+-\d) +\| (\d{12}) +\|$/gm)].map(
      ([, region, account]) => [region, account],
    );
    expect(Object.fromEntries(listed)).toEqual(ANALYZER_ACCOUNTS);
    expect(listed).toHaveLength(Object.keys(ANALYZER_ACCOUNTS).length);
  });
});

describe('baselinePlan', () => {
  it("runs the analyzer on the dataset with suggest_baseline's environment, under the definition's output", () => {
    const plan = baselinePlan(spec(), 'ns-quality', 'us-east-1', tags);
    const name = plan?.request.ProcessingJobName ?? '';
    expect(name).toMatch(/^ns-quality-baseline-[0-9a-f]{8}$/);
    expect(plan?.constraintsUri).toBe(`s3://bucket/reports/baselining/${name}/results/constraints.json`);
    expect(plan?.request.Environment).toMatchObject({
      dataset_format: '{"csv":{"header":true,"output_columns_position":"START"}}',
      dataset_source: '/opt/ml/processing/input/baseline_dataset_input',
      analysis_type: 'MODEL_QUALITY',
      problem_type: 'BinaryClassification',
      inference_attribute: '0',
      probability_attribute: '1',
    });
    expect(baselinePlan(spec(), 'ns-quality', 'ap-south-2', tags)).toBeUndefined();
  });

  it("runs as the definition's executions do: its output and volume keys, network and time limit", () => {
    const vpcConfig = { subnets: ['subnet-a'], securityGroupIds: ['sg-a'] };
    const base = spec();
    const definition = base.modelQualityJobDefinition!;
    const secured: MonitoringScheduleSpec = {
      ...base,
      modelQualityJobDefinition: {
        ...definition,
        modelQualityJobOutputConfig: { ...definition.modelQualityJobOutputConfig, kmsKeyId: 'alias/output' },
        jobResources: {
          clusterConfig: { ...definition.jobResources.clusterConfig, volumeKmsKeyId: 'alias/volume' },
        },
        networkConfig: { enableNetworkIsolation: true, vpcConfig },
        stoppingCondition: { maxRuntimeInSeconds: 1800 },
      },
    };
    const plan = baselinePlan(secured, 'ns-quality', 'us-east-1', tags);
    expect(plan?.request).toMatchObject({
      ProcessingOutputConfig: { KmsKeyId: 'alias/output' },
      ProcessingResources: {
        ClusterConfig: { InstanceType: 'ml.m5.xlarge', VolumeKmsKeyId: 'alias/volume' },
      },
      NetworkConfig: {
        EnableNetworkIsolation: true,
        VpcConfig: { Subnets: ['subnet-a'], SecurityGroupIds: ['sg-a'] },
      },
      StoppingCondition: { MaxRuntimeInSeconds: 1800 },
    });
    // Instances of its own keep the definition's volume key unless they name one.
    const ownResources = {
      clusterConfig: { instanceType: 'ml.m5.2xlarge' as const, instanceCount: 1, volumeSizeInGB: 5 },
    };
    const own = baselinePlan(
      {
        ...secured,
        baseline: { fromDataset: { ...secured.baseline!.fromDataset!, resources: ownResources } },
      },
      'ns-quality',
      'us-east-1',
      tags,
    );
    expect(own?.request.ProcessingResources?.ClusterConfig).toEqual({
      InstanceType: 'ml.m5.2xlarge',
      InstanceCount: 1,
      VolumeSizeInGB: 5,
      VolumeKmsKeyId: 'alias/volume',
    });
  });
});

describe('scheduleMatches', () => {
  it('compares definition, type and timing', () => {
    const desired = scheduleConfig(spec(), 'def-1');
    expect(scheduleMatches(desired, desired)).toBe(true);
    expect(scheduleMatches({ ...desired, MonitoringJobDefinitionName: 'def-0' }, desired)).toBe(false);
    expect(
      scheduleMatches({ ...desired, ScheduleConfig: { ScheduleExpression: 'cron(0 6 ? * * *)' } }, desired),
    ).toBe(false);
  });
});

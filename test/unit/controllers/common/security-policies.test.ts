import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  checkRequest,
  REQUEST_SITES,
  underSecurityPolicies,
} from '../../../../src/controllers/common/security-policies.js';
import { sitePath, type PolicyRule, type PolicySite } from '../../../../src/crds/policy-sites.js';
import type { SecurityPolicySpec } from '../../../../src/crds/security-policy.js';
import type { CacheReader } from '../../../../src/runtime/index.js';

/*
 * The operator's re-check sees every create it sends, as it is sent: each Create*Command the
 * controllers build has the sites of its request (by SageMaker member name), and a request breaking
 * any of them is refused with PolicyViolation under the namespace's policies.
 */

const CONTROLLERS = new URL('../../../../src/controllers/', import.meta.url).pathname;

/** Every create operation the controllers send: the Create*Command they build, read from their source. */
function createsSent(dir = CONTROLLERS): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return createsSent(path);
    return [...readFileSync(path, 'utf8').matchAll(/new (Create\w+)Command\(/g)].map((m) => m[1] ?? '');
  });
}

const CREATES = [...new Set(createsSent())].sort();

const STRICT: SecurityPolicySpec = {
  requireVpc: true,
  allowedSubnets: ['subnet-a'],
  allowedSecurityGroupIds: ['sg-a'],
  requireNetworkIsolation: true,
  requireInterContainerTrafficEncryption: true,
  requireVolumeKmsKey: true,
  allowedVolumeKmsKeys: ['alias/volume'],
  requireOutputKmsKey: true,
  allowedOutputKmsKeys: ['alias/output'],
  allowedInstanceTypes: ['ml.m5.large'],
  maxInstanceCount: 2,
  maxRuntimeInSeconds: 1800,
  allowedRoleArns: ['arn:aws:iam::111122223333:role/team-a-*'],
};

/** A value of each rule's member that STRICT forbids. */
const FORBIDDEN: Record<PolicyRule, unknown> = {
  vpc: { Subnets: ['subnet-z'], SecurityGroupIds: ['sg-a'] },
  networkIsolation: false,
  interContainerTrafficEncryption: false,
  volumeKmsKey: 'alias/other',
  outputKmsKey: 'alias/other',
  instanceType: 'ml.p4d.24xlarge',
  instanceCount: 3,
  maxRuntime: 1801,
  role: 'arn:aws:iam::111122223333:role/admin',
};

const capitalise = (step: string) => step.charAt(0).toUpperCase() + step.slice(1);

/** The site's path by SageMaker's member names: `ResourceConfig.InstanceGroups[].InstanceType`. */
const sentPath = (site: PolicySite) => sitePath(site).split('.').map(capitalise).join('.');

/** A request holding only the site's member, set to `value`: one item in each list on the way. */
function requestWith(site: PolicySite, value: unknown): Record<string, unknown> {
  const steps = [...site.lists.flatMap((list) => [...list, '[]']), ...site.scope, ...site.member].map(
    capitalise,
  );
  const build = (rest: string[]): unknown => {
    const [step, ...after] = rest;
    if (step === undefined) return value;
    if (step === '[]') return [build(after)];
    return { [step]: build(after) };
  };
  return build(steps) as Record<string, unknown>;
}

interface Outcome {
  refused?: { reason: string; message: string };
  ready?: [string, string, string];
}

/** checkRequest as a reconcile of an object in a namespace whose only SecurityPolicy is `spec`. */
function check(operation: string, request: unknown, spec: SecurityPolicySpec = STRICT): Outcome {
  const outcome: Outcome = {};
  const cache = { list: () => [{ metadata: { name: 'team' }, spec }] } as unknown as CacheReader;
  const status = {
    setCondition: (type: string, value: string, reason: string) => {
      outcome.ready = [type, value, reason];
    },
  };
  try {
    underSecurityPolicies({ cache, status } as never, { metadata: { namespace: 'team-a' } }, () => {
      checkRequest(operation, request);
    });
  } catch (err) {
    const { reason, message } = err as { reason: string; message: string };
    outcome.refused = { reason, message };
  }
  return outcome;
}

describe('the creates the operator sends', () => {
  it('are every create its kinds derive from a spec', () => {
    expect(CREATES).toEqual([
      'CreateDataQualityJobDefinition',
      'CreateEndpoint',
      'CreateEndpointConfig',
      'CreateModel',
      'CreateModelBiasJobDefinition',
      'CreateModelExplainabilityJobDefinition',
      'CreateModelPackage',
      'CreateModelPackageGroup',
      'CreateModelQualityJobDefinition',
      'CreateMonitoringSchedule',
      'CreateProcessingJob',
      'CreateTrainingJob',
      'CreateTransformJob',
    ]);
  });

  it.each(CREATES)('%s has the sites of its request', (operation) => {
    expect(REQUEST_SITES.get(operation)).toBeDefined();
  });

  const cases = CREATES.flatMap((operation) =>
    (REQUEST_SITES.get(operation) ?? []).map((site) => [operation, sentPath(site), site] as const),
  );
  it.each(cases)('%s is refused when %s breaks the policy', (operation, path, site) => {
    const outcome = check(operation, requestWith(site, FORBIDDEN[site.rule]));
    expect(outcome.refused?.reason).toBe('PolicyViolation');
    expect(outcome.refused?.message).toContain(`${operation}.${path}`);
    expect(outcome.ready).toEqual(['Ready', 'False', 'PolicyViolation']);
  });

  it('covers every rule in some create', () => {
    expect(new Set(cases.map(([, , site]) => site.rule))).toEqual(new Set(Object.keys(FORBIDDEN)));
  });
});

describe('checkRequest', () => {
  const VPC = { Subnets: ['subnet-a'], SecurityGroupIds: ['sg-a'] };
  const baselining = {
    ProcessingJobName: 'team-a-drift-baseline-1a2b3c4d',
    RoleArn: 'arn:aws:iam::111122223333:role/team-a-monitor',
    AppSpecification: { ImageUri: 'analyzer' },
    ProcessingResources: {
      ClusterConfig: {
        InstanceType: 'ml.m5.large',
        InstanceCount: 1,
        VolumeSizeInGB: 20,
        VolumeKmsKeyId: 'alias/volume',
      },
    },
    ProcessingOutputConfig: { Outputs: [], KmsKeyId: 'alias/output' },
    StoppingCondition: { MaxRuntimeInSeconds: 1800 },
    NetworkConfig: {
      VpcConfig: VPC,
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
    },
  };

  it('lets a compliant request through and names each member of one that is not', () => {
    expect(check('CreateProcessingJob', baselining)).toEqual({});
    const { NetworkConfig: _network, StoppingCondition: _stopping, ...bare } = baselining;
    expect(check('CreateProcessingJob', bare).refused?.message).toBe(
      [
        'CreateProcessingJob.StoppingCondition.MaxRuntimeInSeconds must be set to at most 1800: SecurityPolicy team sets maxRuntimeInSeconds',
        'CreateProcessingJob.NetworkConfig.EnableInterContainerTrafficEncryption must be true: SecurityPolicy team sets requireInterContainerTrafficEncryption',
        'CreateProcessingJob.NetworkConfig.EnableNetworkIsolation must be true: SecurityPolicy team sets requireNetworkIsolation',
        'CreateProcessingJob.NetworkConfig.VpcConfig is required: SecurityPolicy team sets requireVpc',
      ].join('; '),
    );
  });

  it('demands a VPC of a model, not of the endpoint config that runs it, whose own is checked when set', () => {
    const policy = { requireVpc: true, allowedSubnets: ['subnet-a'] };
    expect(check('CreateModel', { ModelName: 'm', ExecutionRoleArn: 'r' }, policy).refused?.message).toBe(
      'CreateModel.VpcConfig is required: SecurityPolicy team sets requireVpc',
    );
    const config = { EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'v', ModelName: 'm' }] };
    expect(check('CreateEndpointConfig', config, policy)).toEqual({});
    expect(
      check('CreateEndpointConfig', { ...config, VpcConfig: { ...VPC, Subnets: ['subnet-z'] } }, policy)
        .refused?.message,
    ).toBe(
      'CreateEndpointConfig.VpcConfig.Subnets must use subnets that SecurityPolicy team allows in allowedSubnets: subnet-a',
    );
  });

  it('lets other requests through, and refuses a create it cannot check', () => {
    expect(check('DescribeProcessingJob', { ProcessingJobName: 'x' })).toEqual({});
    expect(check('CreateHub', { HubName: 'x' }).refused?.message).toContain('CreateHub was not sent');
    expect(() => {
      checkRequest('CreateProcessingJob', baselining);
    }).toThrow('CreateProcessingJob was not sent: the operator sends creates only from a reconcile');
  });
});

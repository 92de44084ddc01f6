import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { Type, type TSchema } from '@sinclair/typebox';
import { ADMISSION_TEMPLATE, validations } from '../../../src/crds/admission-policy.js';
import { renderedAdmissionPolicy, TEMPLATES_DIR } from '../../../src/crds/generate.js';
import { ALL_KINDS } from '../../../src/crds/index.js';
import { policySites, sitePath, type PolicySite } from '../../../src/crds/policy-sites.js';

/** Every property path of a schema, `[]` marking list items: an independent walk of the same schema. */
function propertyPaths(schema: TSchema, prefix = ''): string[] {
  if (schema.type === 'array' && schema.items) return propertyPaths(schema.items as TSchema, `${prefix}[]`);
  return Object.entries((schema.properties ?? {}) as Record<string, TSchema>).flatMap(([name, child]) => {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    return [path, ...propertyPaths(child, path)];
  });
}

/** The members the IAM condition keys read, whose every occurrence must be in the table. */
const ALWAYS_SITES = new Set([
  'vpcConfig',
  'enableNetworkIsolation',
  'enableInterContainerTrafficEncryption',
  'volumeKmsKeyId',
  'instanceType',
  'instanceCount',
  'initialInstanceCount',
  'maxRuntimeInSeconds',
  'roleArn',
  'executionRoleArn',
]);

const table = (spec: TSchema): Map<string, PolicySite> =>
  new Map(policySites(spec).map((site) => [sitePath(site), site]));

describe('the policy sites of every kind', () => {
  it.each(ALL_KINDS.map((kind) => [kind.kind, kind] as const))(
    '%s: every member the condition keys read is in its table, with its rule',
    (_, kind) => {
      const sites = table(kind.spec);
      const expected = propertyPaths(kind.spec).filter(
        (path) =>
          ALWAYS_SITES.has(path.split('.').at(-1) ?? '') &&
          !path.includes('vpcConfig.') /* subnets and groups are read through their vpcConfig */,
      );
      for (const path of expected) expect(sites.has(path)).toBe(true);
      const others = [...sites.keys()].filter(
        (path) => !/(^|\.)kmsKeyId$/.test(path) && !path.endsWith('validationRole'),
      );
      expect(others).toEqual(expected);
    },
  );

  it('gives every kind whose API runs containers a non-empty table', () => {
    const empty = ALL_KINDS.filter((kind) => policySites(kind.spec).length === 0).map((kind) => kind.kind);
    // A MultiModelSet puts artifacts in S3 for an Endpoint; a model package group is a name.
    expect(empty.sort()).toEqual(['ModelPackageGroup', 'MultiModelSet']);
  });

  it('finds each network setting where each kind nests it, demanded of the request that runs containers', () => {
    const demanded = (kind: string, rule: string): string[] =>
      policySites(ALL_KINDS.find((k) => k.kind === kind)!.spec)
        .filter((site) => site.rule === rule && site.demanded)
        .map(sitePath);
    expect(demanded('TrainingJob', 'vpc')).toEqual(['vpcConfig']);
    expect(demanded('Endpoint', 'vpc')).toEqual(['models[].vpcConfig']);
    expect(demanded('ProcessingJob', 'vpc')).toEqual(['networkConfig.vpcConfig']);
    expect(demanded('TransformJob', 'vpc')).toEqual(['model.vpcConfig']);
    expect(demanded('MonitoringSchedule', 'vpc')).toEqual(
      ['dataQuality', 'modelQuality', 'modelBias', 'modelExplainability'].map(
        (type) => `${type}JobDefinition.networkConfig.vpcConfig`,
      ),
    );
    expect(demanded('ProcessingJob', 'interContainerTrafficEncryption')).toEqual([
      'networkConfig.enableInterContainerTrafficEncryption',
    ]);
    expect(demanded('Endpoint', 'volumeKmsKey')).toEqual(['kmsKeyId']);
    expect(demanded('Endpoint', 'outputKmsKey')).toEqual([
      'productionVariants[].coreDumpConfig.kmsKeyId',
      'dataCaptureConfig.kmsKeyId',
      'asyncInferenceConfig.outputConfig.kmsKeyId',
      'shadowProductionVariants[].coreDumpConfig.kmsKeyId',
    ]);
  });

  it('scopes a network member at its request and a key at its config', () => {
    const sites = table(ALL_KINDS.find((k) => k.kind === 'ProcessingJob')!.spec);
    expect(sites.get('networkConfig.vpcConfig')).toMatchObject({
      scope: [],
      member: ['networkConfig', 'vpcConfig'],
    });
    expect(sites.get('processingOutputConfig.kmsKeyId')).toMatchObject({
      rule: 'outputKmsKey',
      scope: ['processingOutputConfig'],
      member: ['kmsKeyId'],
    });
  });

  it('covers a kind added later from its schema alone', () => {
    const vpc = Type.Object({
      subnets: Type.Array(Type.String()),
      securityGroupIds: Type.Array(Type.String()),
    });
    const spec = Type.Object({
      jobs: Type.Array(
        Type.Object({
          roleArn: Type.String(),
          networkConfig: Type.Optional(Type.Object({ vpcConfig: Type.Optional(vpc) })),
          resources: Type.Object({
            instanceType: Type.String(),
            volumeKmsKeyId: Type.Optional(Type.String()),
          }),
        }),
      ),
    });
    expect(policySites(spec).map((site) => [site.rule, sitePath(site), site.demanded])).toEqual([
      ['role', 'jobs[].roleArn', false],
      ['vpc', 'jobs[].networkConfig.vpcConfig', true],
      ['instanceType', 'jobs[].resources.instanceType', false],
      ['volumeKmsKey', 'jobs[].resources.volumeKmsKeyId', true],
    ]);
    expect(validations([{ kind: 'NewJob', plural: 'newjobs', spec }]).map((v) => v.expression)).toContain(
      "request.kind.kind != 'NewJob' || !(has(params.spec.requireVpc) && params.spec.requireVpc) || " +
        '(!(has(object.spec.jobs)) || object.spec.jobs.all(x0, has(x0.networkConfig) && has(x0.networkConfig.vpcConfig)))',
    );
  });
});

describe('the committed admission policy template', () => {
  it('is what `npm run crds` generates', async () => {
    expect(await readFile(TEMPLATES_DIR + ADMISSION_TEMPLATE, 'utf8')).toBe(await renderedAdmissionPolicy());
  });

  it('matches every SageMaker kind and has validations for every kind with sites', async () => {
    const template = await renderedAdmissionPolicy();
    for (const kind of ALL_KINDS) {
      expect(template).toContain(`- ${kind.plural}\n`);
      if (policySites(kind.spec).length > 0)
        expect(template).toContain(`request.kind.kind != '${kind.kind}'`);
    }
  });
});

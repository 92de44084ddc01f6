import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { policyViolations } from '../../../src/controllers/common/security-policy-check.js';
import { ALL_KINDS, endpoint } from '../../../src/crds/index.js';
import { policySites, type PolicySite } from '../../../src/crds/policy-sites.js';
import { checksAt, inForce, type SettingCheck } from '../../../src/crds/policy-rules.js';
import { objectsOf, rejectionOf } from '../support/apply.js';
import { loadExamples, type Manifest } from '../support/examples.js';
import { createTestNamespace, customObjects, testKubeConfig } from '../support/cluster.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';
import { Admission, applyPolicy, broken, compliant, eventually, ROLE, STRICT } from './support.js';

/*
 * The chart's ValidatingAdmissionPolicy on the rig's apiserver (1.34): every kind, every member the
 * policy reads and every setting, rejected at apply with the field and the rule, and the same
 * message as the operator's own check gives for the same spec.
 */

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';

/** MINIMAL_SPECS, with the members that only some specs carry: a transform's own model, a package's validation. */
const SPECS: Record<string, Record<string, unknown>> = {
  ...MINIMAL_SPECS,
  TransformJob: {
    ...(({ modelName: _, ...rest }) => rest)(MINIMAL_SPECS.TransformJob ?? {}),
    model: {
      primaryContainer: { image: IMAGE, modelDataUrl: 's3://bucket/model.tar.gz' },
      executionRoleArn: ROLE,
    },
  },
  ModelPackage: {
    ...MINIMAL_SPECS.ModelPackage,
    inferenceSpecification: {
      containers: [{ image: IMAGE }],
      supportedContentTypes: ['text/csv'],
      supportedResponseMIMETypes: ['text/csv'],
      supportedTransformInstanceTypes: ['ml.m5.large'],
    },
    validationSpecification: {
      validationRole: ROLE,
      validationProfiles: [
        {
          profileName: 'validation',
          transformJobDefinition: {
            transformInput: {
              dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: 's3://bucket/in' } },
            },
            transformOutput: { s3OutputPath: 's3://bucket/out' },
            transformResources: { instanceType: 'ml.m5.large', instanceCount: 1 },
          },
        },
      ],
    },
  },
};

let kc: KubeConfig;
let allow: Admission;
let deny: Admission;
/** Covered by the Allow release, with the STRICT policy. */
let strict: string;

beforeAll(async () => {
  kc = testKubeConfig();
  [allow, deny] = await Promise.all([Admission.install(kc, 'Allow'), Admission.install(kc, 'Deny')]);
  strict = await createTestNamespace(kc, 'sp-strict');
  await allow.cover(strict);
  await applyPolicy(kc, strict, 'strict', STRICT);
  // In force once the apiserver has loaded the policy, its binding and the SecurityPolicy.
  await eventually(() =>
    rejectionOf(
      objectsOf(kc, strict, 'TrainingJob', 'trainingjobs').create('probe', {
        ...MINIMAL_SPECS.TrainingJob,
      }),
    ),
  );
});

afterAll(async () => {
  await allow.uninstall();
  await deny.uninstall();
});

const SAGEMAKER_KINDS = ALL_KINDS.map((kind) => [kind.kind, kind] as const);

/** Every (site, setting) of the kind that its spec under STRICT lets the test break, with the broken spec. */
function breakages(kind: (typeof ALL_KINDS)[number]) {
  const spec = compliant(kind.spec, SPECS[kind.kind] ?? {});
  return policySites(kind.spec).flatMap((site: PolicySite) =>
    checksAt(site)
      .filter((check: SettingCheck) => inForce(STRICT, check.setting))
      .flatMap((check) => {
        const bad = broken(site, spec, check.setting);
        return bad === undefined ? [] : [{ site, check, bad }];
      }),
  );
}

describe.each(SAGEMAKER_KINDS)('%s in a namespace with a SecurityPolicy', (kindName, kind) => {
  const objects = () => objectsOf(kc, strict, kindName, kind.plural);

  it('admits a spec that satisfies every rule', async () => {
    await objects().create(`ok-${kind.singular}`, compliant(kind.spec, SPECS[kindName] ?? {}), false);
  });

  const cases = breakages(kind);
  if (cases.length > 0) {
    it.each(cases.map((c) => [`${c.check.setting} at ${c.site.rule}`, c] as const))(
      'rejects a spec that breaks %s, naming the field and the rule',
      async (_, { bad }) => {
        const message = await rejectionOf(objects().create('bad', bad));
        const expected = policyViolations(
          bad,
          policySites(kind.spec),
          { name: 'strict', spec: STRICT },
          (path) => `spec.${path}`,
        );
        expect(expected).toHaveLength(1);
        expect(message).toContain(`denied request: ${expected[0] ?? ''}`);
      },
    );
  }
});

it('covers every SageMaker kind whose API has the members, and every setting somewhere', () => {
  const tested = ALL_KINDS.flatMap((kind) => breakages(kind).map((c) => c.check.setting));
  expect(new Set(tested)).toEqual(new Set(Object.keys(STRICT)));
  for (const kind of ALL_KINDS)
    if (policySites(kind.spec).length > 0) expect(breakages(kind).length).toBeGreaterThan(0);
});

describe('a role outside the namespace’s patterns', () => {
  it('is refused for a model’s executionRoleArn as for a job’s roleArn', async () => {
    const spec = compliant(endpoint.spec, SPECS.Endpoint ?? {}) as { models: { executionRoleArn: string }[] };
    spec.models[0]!.executionRoleArn = 'arn:aws:iam::123456789012:role/PlatformAdmin';
    const message = await rejectionOf(
      objectsOf(kc, strict, 'Endpoint', 'endpoints').create('admin-role', spec),
    );
    expect(message).toContain(
      'spec.models[].executionRoleArn must match one of the roles SecurityPolicy strict allows in allowedRoleArns: arn:aws:iam::123456789012:role/SageMaker*',
    );
  });
});

describe('an object admitted before its policy was tightened', () => {
  it('can still be labelled and finalized (the spec is not rewritten), but not changed', async () => {
    const namespace = await createTestNamespace(kc, 'sp-tighten');
    await allow.cover(namespace);
    const jobs = objectsOf(kc, namespace, 'TrainingJob', 'trainingjobs');
    await jobs.create('early', MINIMAL_SPECS.TrainingJob ?? {}, false);
    await applyPolicy(kc, namespace, 'late', { requireVpc: true });
    await customObjects(kc).patchNamespacedCustomObject(
      {
        group: 'sagemaker.mlops.dev',
        version: 'v1alpha1',
        namespace,
        plural: 'trainingjobs',
        name: 'early',
        body: { metadata: { labels: { team: 'a' }, finalizers: ['sagemaker.mlops.dev/finalizer'] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(await eventually(() => rejectionOf(jobs.patchSpec('early', { tags: { team: 'a' } })))).toContain(
      'spec.vpcConfig is required: SecurityPolicy late sets requireVpc',
    );
  });
});

describe('a namespace without a SecurityPolicy follows the chart’s withoutPolicy', () => {
  it.each(SAGEMAKER_KINDS)('Allow admits a %s that no policy reads', async (kindName, kind) => {
    const namespace = await createTestNamespace(kc, 'sp-allow');
    await allow.cover(namespace);
    await objectsOf(kc, namespace, kindName, kind.plural).create('free', SPECS[kindName] ?? {});
  });

  it.each(SAGEMAKER_KINDS)(
    'Deny refuses a %s until the namespace has a SecurityPolicy',
    async (kindName, kind) => {
      const namespace = await createTestNamespace(kc, 'sp-deny');
      await deny.cover(namespace);
      const objects = objectsOf(kc, namespace, kindName, kind.plural);
      expect(await eventually(() => rejectionOf(objects.create('refused', SPECS[kindName] ?? {})))).toMatch(
        /no params found/i,
      );
      await applyPolicy(kc, namespace, 'open', {});
      await eventually(() => objects.create('admitted', SPECS[kindName] ?? {}));
    },
  );
});

describe('examples/secure-vpc', () => {
  it('admits the private-VPC examples in a namespace with its SecurityPolicy, and refuses the others there', async () => {
    const namespace = await createTestNamespace(kc, 'sp-example');
    await allow.cover(namespace);
    const [policy] = (await loadExamples('secure-vpc')).get('security-policy.yaml') ?? [];
    await applyPolicy(kc, namespace, policy!.metadata.name, policy!.spec);
    const create = (manifest: Manifest, name: string, dryRun = false) =>
      objectsOf(kc, namespace, manifest.kind, `${manifest.kind.toLowerCase()}s`).create(
        name,
        manifest.spec,
        dryRun,
      );
    const unencrypted = (await loadExamples('training')).get('xgboost-kms.yaml')![0]!;
    expect(await eventually(() => rejectionOf(create(unencrypted, 'kms-only', true)))).toContain(
      'spec.resourceConfig.instanceType must use an instance type that SecurityPolicy secure-vpc allows in allowedInstanceTypes',
    );
    for (const [folder, file] of [
      ['training', 'xgboost-private-vpc.yaml'],
      ['batch', 'preprocessing-private-vpc.yaml'],
      ['registry', 'xgboost-private-vpc.yaml'],
    ] as const) {
      for (const manifest of (await loadExamples(folder)).get(file) ?? [])
        await create(manifest, manifest.metadata.name);
    }
  });
});

describe('the CEL cost budget', () => {
  it('is enough for an Endpoint with the longest lists its schema allows, checked to the last item', async () => {
    const maxItems = (path: string[]): number => {
      let schema = endpoint.spec as unknown as {
        properties?: Record<string, unknown>;
        items?: unknown;
        maxItems?: number;
      };
      for (const step of path)
        schema = (step === '[]' ? schema.items : schema.properties?.[step]) as typeof schema;
      return schema.maxItems ?? 0;
    };
    const models = maxItems(['models']);
    const subnets = maxItems(['models', '[]', 'vpcConfig', 'subnets']);
    const groups = maxItems(['models', '[]', 'vpcConfig', 'securityGroupIds']);
    expect([models, subnets, groups]).toEqual([10, 16, 5]);
    const spec = compliant(endpoint.spec, {
      models: Array.from({ length: models }, (_, i) => ({
        modelName: `m${String(i)}`,
        primaryContainer: { image: IMAGE },
        executionRoleArn: ROLE,
        vpcConfig: {
          subnets: Array<string>(subnets).fill('subnet-a'),
          securityGroupIds: Array<string>(groups).fill('sg-a'),
        },
      })),
      productionVariants: Array.from({ length: models }, (_, i) => ({
        variantName: `v${String(i)}`,
        modelName: `m${String(i)}`,
        instanceType: 'ml.m5.large',
        initialInstanceCount: 1,
      })),
    }) as { models: { vpcConfig: { subnets: string[] } }[] };
    const objects = objectsOf(kc, strict, 'Endpoint', 'endpoints');
    await objects.create('largest', spec);
    spec.models[models - 1]!.vpcConfig.subnets[subnets - 1] = 'subnet-z';
    expect(await rejectionOf(objects.create('largest', spec))).toContain(
      'denied request: spec.models[].vpcConfig.subnets must use subnets that SecurityPolicy strict allows in allowedSubnets',
    );
  });
});

describe('the SecurityPolicy schema', () => {
  it.each([
    [{ allowedRoleArns: ['arn:aws:iam::1:role/(a|b)'] }, 'spec.allowedRoleArns[0]'],
    [{ maxInstanceCount: 0 }, 'spec.maxInstanceCount'],
    [{ allowedSubnets: [] }, 'spec.allowedSubnets'],
    [{ requireVpc: 'yes' }, 'spec.requireVpc'],
  ])('refuses %j', async (spec, field) => {
    const policies = objectsOf(kc, strict, 'SecurityPolicy', 'securitypolicies');
    expect(await rejectionOf(policies.create('invalid', spec))).toContain(field);
  });
});

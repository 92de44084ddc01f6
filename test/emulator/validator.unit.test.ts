import { beforeAll, describe, expect, it } from '@jest/globals';
import { sageMakerApiModelPath } from '../rig/python.js';
import type { ApiModel } from './api-model.js';
import { loadApiModel } from './api-model.js';
import { fromJavaPattern } from './java-regex.js';
import type { InputValidator, OutputValidator } from './validator.js';
import { compileOutputValidators, compileValidators } from './validator.js';

let model: ApiModel;
let validators: Map<string, InputValidator>;
let outputs: Map<string, OutputValidator>;
beforeAll(async () => {
  model = await loadApiModel(await sageMakerApiModelPath());
  validators = compileValidators(model);
  outputs = compileOutputValidators(model);
}, 120_000);

const check = (operation: string, input: unknown) => validators.get(operation)!(input);

describe('Java patterns of the model', () => {
  it('all compile and match whole values', () => {
    const patterns = Object.values(model.shapes).flatMap((s) => (s.pattern === undefined ? [] : [s.pattern]));
    expect(patterns.length).toBeGreaterThan(100);
    for (const pattern of patterns) expect(() => fromJavaPattern(pattern)).not.toThrow();
    const name = fromJavaPattern('[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}');
    expect(name.test('job-1')).toBe(true);
    expect(name.test('job_1')).toBe(false);
    expect(name.test('-job')).toBe(false);
  });

  it('translates Java-only syntax', () => {
    expect(fromJavaPattern('[a-z]+\\-[0-9]').test('ab-1')).toBe(true);
    expect(fromJavaPattern('arn:[\\p{Alnum}\\-]+:x').test('arn:aws-cn:x')).toBe(true);
    expect(fromJavaPattern('([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)${1,128}').test('key: välue/1')).toBe(true);
    expect(fromJavaPattern('[a-zA-Z0-9\\_\\-]+').test('a_b-c')).toBe(true);
  });
});

describe('request validation', () => {
  it('accepts a valid request', () => {
    expect(check('DescribeEndpoint', { EndpointName: 'ep-1' })).toBeUndefined();
  });

  it('reports required members, lengths, patterns, enums and ranges with paths', () => {
    const error = check('CreateEndpointConfig', {
      EndpointConfigName: 'x'.repeat(64),
      ProductionVariants: [{ VariantName: 'v', InstanceType: 'ml.nope', InitialInstanceCount: 0 }],
    });
    expect(error?.code).toBe('ValidationException');
    const message = error?.message ?? '';
    expect(message).toMatch(/^4 validation errors detected: /);
    expect(message).toContain(
      `Value '${'x'.repeat(64)}' at 'endpointConfigName' failed to satisfy constraint: Member must have length less than or equal to 63`,
    );
    expect(message).toContain(
      "at 'endpointConfigName' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
    expect(message).toContain(
      "Value '0' at 'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(message).toContain(
      "Value 'ml.nope' at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must satisfy enum value set: [ml.",
    );
  });

  it('checks list and map sizes and map values', () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(
      check('AddTags', { ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/m', Tags: tags })
        ?.message,
    ).toContain("at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    const error = check('CreateTrainingJob', {
      TrainingJobName: 'j',
      RoleArn: 'arn:aws:iam::123456789012:role/r',
      OutputDataConfig: { S3OutputPath: 's3://b/o' },
      HyperParameters: { lr: 'x'.repeat(2501) },
    });
    expect(error?.message).toContain(
      "at 'hyperParameters.lr' failed to satisfy constraint: Member must have length less than or equal to 2500",
    );
  });

  it('answers SerializationException when a JSON type cannot be read as the modelled type', () => {
    expect(check('DescribeEndpoint', { EndpointName: 7 })).toMatchObject({
      code: 'SerializationException',
      message: "Value 7 at 'endpointName' cannot be converted to String",
    });
  });
});

describe('response validation', () => {
  const answer = (operation: string, output: unknown) => outputs.get(operation)!(output);
  const model = {
    ModelName: 'm',
    ModelArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/m',
    CreationTime: 1_700_000_000,
  };

  it('accepts an answer that matches the output shape, absent optional members included', () => {
    expect(
      answer('DescribeModel', { ...model, EnableNetworkIsolation: false, Containers: undefined }),
    ).toEqual([]);
    expect(answer('DeleteModel', {})).toEqual([]);
  });

  it('reports members the shape does not have, at any depth', () => {
    expect(answer('DescribeModel', { ...model, Tags: [] })).toEqual([
      "Member 'tags' is not in the modelled shape",
    ]);
    expect(answer('DescribeModel', { ...model, PrimaryContainer: { Image: 'i', Bogus: 1 } })).toEqual([
      "Member 'primaryContainer.bogus' is not in the modelled shape",
    ]);
    expect(answer('DeleteModel', { ModelArn: model.ModelArn })).toEqual([
      'DeleteModel has no output shape, but answered members',
    ]);
  });

  it('reports missing required members and wrong types', () => {
    const problems = answer('DescribeModel', {
      ModelName: 'm',
      CreationTime: 'yesterday',
      EnableNetworkIsolation: 'false',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "Value null at 'modelArn' failed to satisfy constraint: Member must not be null",
        'Value "yesterday" at \'creationTime\' is not of the modelled type Timestamp',
        'Value "false" at \'enableNetworkIsolation\' is not of the modelled type Boolean',
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('checks enums of the answer', () => {
    expect(
      answer('DescribeEndpoint', {
        EndpointName: 'e',
        EndpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/e',
        EndpointStatus: 'Sleeping',
        CreationTime: 1,
        LastModifiedTime: 1,
      }),
    ).toEqual([expect.stringContaining("Value 'Sleeping' at 'endpointStatus' failed to satisfy constraint")]);
  });
});

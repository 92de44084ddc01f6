import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { StringMap } from '../../../../src/crds/schema.js';
import { toRequest } from '../../../../src/controllers/common/sagemaker-shape.js';

const shape = Type.Object({
  roleArn: Type.String(),
  s3DataSource: Type.Optional(Type.Object({ s3Uri: Type.String() })),
  channels: Type.Optional(
    Type.Array(Type.Object({ channelName: Type.String(), names: Type.Array(Type.String()) })),
  ),
  environment: Type.Optional(StringMap(Type.String(), {})),
  perVariant: Type.Optional(StringMap(Type.Object({ weight: Type.Number() }), {})),
});

describe('toRequest', () => {
  it('sends members under their SageMaker names, through structures and lists of structures', () => {
    expect(
      toRequest(shape, {
        roleArn: 'arn',
        s3DataSource: { s3Uri: 's3://b/k' },
        channels: [{ channelName: 'train', names: ['a', 'b'] }],
      }),
    ).toEqual({
      RoleArn: 'arn',
      S3DataSource: { S3Uri: 's3://b/k' },
      Channels: [{ ChannelName: 'train', Names: ['a', 'b'] }],
    });
  });

  it('keeps the keys of maps as the user wrote them, and maps the structures they hold', () => {
    expect(
      toRequest(shape, { roleArn: 'r', environment: { my_var: '1' }, perVariant: { blue: { weight: 1 } } }),
    ).toEqual({ RoleArn: 'r', Environment: { my_var: '1' }, PerVariant: { blue: { Weight: 1 } } });
  });

  it('leaves out fields the request does not have, and undefined members', () => {
    expect(
      toRequest(shape, {
        roleArn: 'r',
        region: 'eu-west-1',
        s3DataSource: { s3Uri: 's3://b/k', fromRef: { name: 'job' } },
        environment: undefined,
      }),
    ).toEqual({ RoleArn: 'r', S3DataSource: { S3Uri: 's3://b/k' } });
  });
});

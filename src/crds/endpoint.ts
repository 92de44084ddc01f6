import { Type, type Static } from '@sinclair/typebox';
import { commonSpecFields, commonSpecRules, commonStatusFields, explicitNameField } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition } from './kind.js';

export const EndpointSpec = Type.Object(
  { ...commonSpecFields('endpointName', 'endpoint'), endpointName: explicitNameField('endpoint') },
  {
    description: 'A real-time SageMaker endpoint with the Models and EndpointConfig behind it.',
    'x-kubernetes-validations': commonSpecRules('endpointName'),
  },
);
export type EndpointSpec = Static<typeof EndpointSpec>;

export const EndpointStatus = Type.Object(commonStatusFields(), {
  description: 'What the operator observed of the endpoint.',
});
export type EndpointStatus = Static<typeof EndpointStatus>;

export const endpoint: KindDefinition<typeof EndpointSpec, typeof EndpointStatus> = {
  kind: 'Endpoint',
  plural: 'endpoints',
  singular: 'endpoint',
  shortNames: ['smep'],
  description: 'A SageMaker real-time endpoint: its models, its endpoint config and the endpoint itself.',
  spec: EndpointSpec,
  status: EndpointStatus,
  printerColumns: [...COMMON_COLUMNS, AGE_COLUMN],
};

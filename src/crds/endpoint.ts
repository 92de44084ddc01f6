import type { Static } from '@sinclair/typebox';
import { commonOnlySchemas } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition } from './kind.js';

const schemas = commonOnlySchemas(
  'endpointName',
  'endpoint',
  'A real-time SageMaker endpoint with the Models and EndpointConfig behind it.',
);
export type EndpointSpec = Static<typeof schemas.spec>;
export type EndpointStatus = Static<typeof schemas.status>;

export const endpoint: KindDefinition = {
  kind: 'Endpoint',
  plural: 'endpoints',
  singular: 'endpoint',
  shortNames: ['smep'],
  description: 'A SageMaker real-time endpoint: its models, its endpoint config and the endpoint itself.',
  ...schemas,
  printerColumns: [...COMMON_COLUMNS, AGE_COLUMN],
};

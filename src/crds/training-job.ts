import { Type, type Static } from '@sinclair/typebox';
import { commonSpecFields, commonSpecRules, commonStatusFields, explicitNameField } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition } from './kind.js';

export const TrainingJobSpec = Type.Object(
  {
    ...commonSpecFields('trainingJobName', 'training job'),
    trainingJobName: explicitNameField('training job'),
  },
  {
    description: 'A SageMaker training job, in the lowerCamel form of CreateTrainingJob.',
    'x-kubernetes-validations': commonSpecRules('trainingJobName'),
  },
);
export type TrainingJobSpec = Static<typeof TrainingJobSpec>;

export const TrainingJobStatus = Type.Object(commonStatusFields(), {
  description: 'What the operator observed of the training job.',
});
export type TrainingJobStatus = Static<typeof TrainingJobStatus>;

export const trainingJob: KindDefinition<typeof TrainingJobSpec, typeof TrainingJobStatus> = {
  kind: 'TrainingJob',
  plural: 'trainingjobs',
  singular: 'trainingjob',
  shortNames: ['smtj'],
  description: 'A SageMaker training job: data and algorithm in, model artifacts out.',
  spec: TrainingJobSpec,
  status: TrainingJobStatus,
  printerColumns: [...COMMON_COLUMNS, AGE_COLUMN],
};

import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from '@jest/globals';
import { trainingJobView } from '../../../../src/controllers/training-job/view.js';

describe('trainingJobView', () => {
  it('paces polling by the start of the current secondary status', () => {
    const view = trainingJobView({
      TrainingJobName: 'ns-churn',
      TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/ns-churn',
      TrainingJobStatus: 'InProgress',
      SecondaryStatus: 'Training',
      CreationTime: new Date('2026-01-01T00:00:00Z'),
      SecondaryStatusTransitions: [
        { Status: 'Starting', StartTime: new Date('2026-01-01T00:00:01Z') },
        { Status: 'Training', StartTime: new Date('2026-01-01T00:05:00Z') },
      ],
    } as DescribeTrainingJobResponse);
    expect(view).toEqual({
      name: 'ns-churn',
      arn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/ns-churn',
      state: 'InProgress',
      detail: 'Training',
      failureReason: undefined,
      stateSince: new Date('2026-01-01T00:05:00Z'),
    });
  });

  it('falls back to the last modification, then the creation, before any transition', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    expect(trainingJobView({ CreationTime: created } as DescribeTrainingJobResponse).stateSince).toEqual(
      created,
    );
    const modified = new Date('2026-01-01T00:01:00Z');
    expect(
      trainingJobView({ CreationTime: created, LastModifiedTime: modified } as DescribeTrainingJobResponse)
        .stateSince,
    ).toEqual(modified);
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  resolveUpstream,
  trainingJobArtifacts,
  type Upstream,
} from '../../../../src/controllers/common/upstream.js';

const job = (state: string | undefined, uri?: string, found = true): Upstream => ({
  label: 'ProcessingJob prepare',
  found,
  state,
  uri,
  produces: 'output train',
});

describe('resolveUpstream', () => {
  it('gives the URIs in order once every job has Completed', () => {
    expect(resolveUpstream([job('Completed', 's3://b/a'), job('Completed', 's3://b/b')])).toEqual({
      type: 'ready',
      uris: ['s3://b/a', 's3://b/b'],
    });
  });

  it('waits for jobs missing, not started or running, naming each', () => {
    expect(resolveUpstream([job(undefined, undefined, false), job(undefined), job('InProgress')])).toEqual({
      type: 'waiting',
      message:
        'waiting for ProcessingJob prepare (not found), ProcessingJob prepare (not started), ProcessingJob prepare (InProgress) to complete',
    });
  });

  it('waits for a Completed job whose URI its status does not show yet', () => {
    expect(resolveUpstream([job('Completed')])).toMatchObject({ type: 'waiting' });
  });

  it.each(['Failed', 'Stopped'])('rejects a %s job, naming it and what it will not produce', (state) => {
    expect(resolveUpstream([job('Completed', 's3://b/a'), job(state)])).toEqual({
      type: 'invalid',
      message: `ProcessingJob prepare is ${state}: it will produce no output train`,
    });
  });

  it('rejects a reference that can never be satisfied, with its problem', () => {
    expect(resolveUpstream([{ ...job('Completed', 's3://b/a'), problem: 'no such output' }])).toEqual({
      type: 'invalid',
      message: 'no such output',
    });
  });
});

describe('trainingJobArtifacts', () => {
  it("reads a TrainingJob object's state and artifacts", () => {
    expect(
      trainingJobArtifacts('train', {
        trainingJobStatus: 'Completed',
        modelArtifacts: { s3ModelArtifacts: 's3://b/model.tar.gz' },
      }),
    ).toEqual({
      label: 'TrainingJob train',
      found: true,
      state: 'Completed',
      uri: 's3://b/model.tar.gz',
      produces: 'model artifacts',
    });
    expect(trainingJobArtifacts('train', undefined)).toMatchObject({ found: false, state: undefined });
  });
});

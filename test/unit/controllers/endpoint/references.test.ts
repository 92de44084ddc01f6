import { describe, expect, it } from '@jest/globals';
import type { TrainingJobOutcome } from '../../../../src/controllers/common/upstream.js';
import { including } from '../../../../src/controllers/common/managed-resource.js';
import { resolveReferences } from '../../../../src/controllers/endpoint/plan.js';
import { ARTIFACT, spec } from './fixtures.js';

const jobs = (job: TrainingJobOutcome | undefined) => (name: string) =>
  name === 'train-job' ? job : undefined;

describe('resolveReferences', () => {
  it("gives a Completed job's artifacts", () => {
    const resolution = resolveReferences(
      spec,
      jobs({ trainingJobStatus: 'Completed', modelArtifacts: { s3ModelArtifacts: ARTIFACT } }),
    );
    expect(resolution).toEqual({ type: 'ready', artifacts: new Map([['train-job', ARTIFACT]]) });
  });

  it('waits for a job that is missing or still running, naming it', () => {
    expect(resolveReferences(spec, jobs(undefined))).toEqual({
      type: 'waiting',
      message: 'waiting for TrainingJob train-job (not found) to complete',
    });
    expect(resolveReferences(spec, jobs({ trainingJobStatus: 'InProgress' }))).toMatchObject({
      type: 'waiting',
      message: expect.stringContaining('train-job (InProgress)'),
    });
  });

  it.each(['Failed', 'Stopped'])('rejects a %s job, naming it', (state) => {
    expect(resolveReferences(spec, jobs({ trainingJobStatus: state }))).toEqual({
      type: 'invalid',
      message: `TrainingJob train-job is ${state}: it will produce no model artifacts`,
    });
  });

  it('needs nothing when no container refers to a job', () => {
    const plain = { ...spec, models: spec.models.slice(1) };
    expect(resolveReferences(plain, jobs(undefined))).toEqual({ type: 'ready', artifacts: new Map() });
  });
});

describe('including', () => {
  it('appends only the names not there yet, keeping order', () => {
    expect(including(['a', 'b'], ['b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(including(undefined, ['a'])).toEqual(['a']);
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  groupConditions,
  holdsVersionsCondition,
} from '../../../../src/controllers/model-package-group/states.js';
import {
  approvalChange,
  approvalStep,
  modelFromTrainingJob,
  versionConditions,
} from '../../../../src/controllers/model-package/states.js';

describe('approvalStep', () => {
  const approved = { modelApprovalStatus: 'Approved', approvalDescription: 'ok' };

  it('leaves approval to the registry when the spec names none', () => {
    expect(approvalStep({}, undefined, { modelApprovalStatus: 'Rejected' })).toBe('none');
  });

  it('updates when the spec asks for an approval not applied yet', () => {
    expect(approvalStep(approved, undefined, { modelApprovalStatus: 'PendingManualApproval' })).toBe(
      'update',
    );
    expect(
      approvalStep(
        approved,
        { modelApprovalStatus: 'Approved', approvalDescription: 'old' },
        { modelApprovalStatus: 'Approved' },
      ),
    ).toBe('update');
  });

  it('only records an approval the registry already shows', () => {
    expect(approvalStep(approved, undefined, approved)).toBe('record');
  });

  it('does not revert a change made in the registry after the spec’s approval was applied', () => {
    expect(approvalStep(approved, approved, { modelApprovalStatus: 'Rejected' })).toBe('none');
  });

  it('ignores the description when the spec gives none', () => {
    expect(
      approvalStep(
        { modelApprovalStatus: 'Approved' },
        { modelApprovalStatus: 'Approved', approvalDescription: 'x' },
        {},
      ),
    ).toBe('none');
  });
});

describe('approvalChange', () => {
  it('says who changed the approval, and nothing on the first sight or without a change', () => {
    expect(approvalChange('g/1', 'PendingManualApproval', 'Approved', true)).toBe(
      'approval of model version g/1: PendingManualApproval → Approved (by the spec)',
    );
    expect(approvalChange('g/1', 'Approved', 'Rejected', false)).toContain('(in the registry)');
    expect(approvalChange('g/1', undefined, 'Approved', false)).toBeUndefined();
    expect(approvalChange('g/1', 'Approved', 'Approved', true)).toBeUndefined();
  });
});

describe('modelFromTrainingJob', () => {
  const completed = {
    spec: { algorithmSpecification: { trainingImage: 'img:1' } },
    status: { trainingJobStatus: 'Completed', modelArtifacts: { s3ModelArtifacts: 's3://b/model.tar.gz' } },
  };

  it('gives the job’s image and artifacts once it completed', () => {
    expect(modelFromTrainingJob('train', completed)).toEqual({
      type: 'ready',
      image: 'img:1',
      modelDataUrl: 's3://b/model.tar.gz',
    });
  });

  it('waits for a job that is missing or running', () => {
    expect(modelFromTrainingJob('train', undefined)).toMatchObject({
      type: 'waiting',
      message: expect.stringContaining('not found'),
    });
    expect(
      modelFromTrainingJob('train', { ...completed, status: { trainingJobStatus: 'InProgress' } }),
    ).toMatchObject({ type: 'waiting', message: expect.stringContaining('InProgress') });
  });

  it('refuses a job that failed or uses an algorithm resource', () => {
    expect(
      modelFromTrainingJob('train', { ...completed, status: { trainingJobStatus: 'Failed' } }),
    ).toMatchObject({
      type: 'invalid',
    });
    expect(
      modelFromTrainingJob('train', { ...completed, spec: { algorithmSpecification: {} } }),
    ).toMatchObject({
      type: 'invalid',
      message: expect.stringContaining('inferenceSpecification.containers'),
    });
  });
});

describe('readiness', () => {
  it('is Registered once SageMaker says Completed, Creating before, CreateFailed on Failed', () => {
    expect(versionConditions('g/1', 'Completed')).toMatchObject({ status: 'True', reason: 'Registered' });
    expect(versionConditions('g/1', 'InProgress')).toMatchObject({ status: 'False', reason: 'Creating' });
    expect(versionConditions('g/1', 'Failed')).toMatchObject({ reason: 'CreateFailed' });
    expect(groupConditions('g', 'Completed')).toMatchObject({ status: 'True', reason: 'Registered' });
    expect(groupConditions('g', 'Pending')).toMatchObject({ status: 'False', reason: 'Creating' });
    expect(groupConditions('g', 'Deleting')).toMatchObject({ status: 'False', reason: 'Deleting' });
  });

  it('counts the versions a deleted group waits for', () => {
    expect(holdsVersionsCondition('g', 1, false).message).toContain('holds 1 version:');
    expect(holdsVersionsCondition('g', 100, true).message).toContain('holds 100+ versions');
  });
});

import { describe, expect, it } from '@jest/globals';
import { endpointPlan } from '../../../../src/controllers/endpoint/plan.js';
import {
  capacitiesAfterUpdate,
  dataCaptureChanges,
  retainsVariantProperties,
  specChange,
  updateEndpointRequest,
  weightsAndCapacitiesRequest,
} from '../../../../src/controllers/endpoint/update.js';
import type { EndpointSpec } from '../../../../src/crds/endpoint.js';
import { artifacts, spec } from './fixtures.js';

const plan = endpointPlan(spec, 'ns-churn', artifacts, []);
const config = plan.endpointConfig.EndpointConfigName ?? '';
const applied = { endpointConfigName: config, generation: 1, capacities: plan.capacities };
const reweighted = plan.capacities.map((c) => (c.variantName === 'Current' ? { ...c, weight: 0.5 } : c));

describe('specChange', () => {
  it('needs a new config when nothing was applied or the config name changed', () => {
    expect(specChange(plan, undefined)).toBe('newConfig');
    expect(specChange(plan, { ...applied, endpointConfigName: 'ns-churn-old' })).toBe('newConfig');
  });

  it('needs only UpdateEndpointWeightsAndCapacities when only weights or counts changed', () => {
    expect(specChange({ ...plan, capacities: reweighted }, applied)).toBe('weightsAndCapacities');
  });

  it('needs nothing for the applied spec', () => {
    expect(specChange(plan, applied)).toBe('none');
  });
});

describe('updateEndpointRequest', () => {
  it('retains all variant properties by default and sends no deployment config unless given', () => {
    expect(updateEndpointRequest(spec, 'ns-churn', config, true)).toEqual({
      EndpointName: 'ns-churn',
      EndpointConfigName: config,
      RetainAllVariantProperties: true,
    });
  });

  it('passes the excluded variant properties and a canary deployment with its rollback alarm', () => {
    const canary: EndpointSpec = {
      ...spec,
      excludeRetainedVariantProperties: [{ variantPropertyType: 'DesiredWeight' }],
      retainDeploymentConfig: true,
      deploymentConfig: {
        blueGreenUpdatePolicy: {
          trafficRoutingConfiguration: {
            type: 'CANARY',
            waitIntervalInSeconds: 600,
            canarySize: { type: 'INSTANCE_COUNT', value: 1 },
          },
          terminationWaitInSeconds: 300,
        },
        autoRollbackConfiguration: { alarms: [{ alarmName: 'errors' }] },
      },
    };
    expect(updateEndpointRequest(canary, 'ns-churn', config, true)).toEqual({
      EndpointName: 'ns-churn',
      EndpointConfigName: config,
      RetainAllVariantProperties: true,
      ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredWeight' }],
      RetainDeploymentConfig: true,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'CANARY',
            WaitIntervalInSeconds: 600,
            CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 },
          },
          TerminationWaitInSeconds: 300,
        },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'errors' }] },
      },
    });
  });

  it('takes the new config as it is when not retaining, excluded properties or not', () => {
    const excluding: EndpointSpec = {
      ...spec,
      excludeRetainedVariantProperties: [{ variantPropertyType: 'DesiredWeight' }],
    };
    const request = updateEndpointRequest(excluding, 'e', config, false);
    expect(request.RetainAllVariantProperties).toBe(false);
    expect(request.ExcludeRetainedVariantProperties).toBeUndefined();
  });
});

describe('retainsVariantProperties', () => {
  const noRetain: EndpointSpec = { ...spec, retainAllVariantProperties: false };

  it('follows retainAllVariantProperties, retaining by default', () => {
    expect(retainsVariantProperties(spec, false)).toBe(true);
    expect(retainsVariantProperties(noRetain, false)).toBe(false);
  });

  it('does not retain when data capture changes, which SageMaker would otherwise keep as it was', () => {
    expect(retainsVariantProperties(spec, true)).toBe(false);
    expect(retainsVariantProperties(noRetain, true)).toBe(false);
  });
});

describe('dataCaptureChanges', () => {
  const planned = {
    InitialSamplingPercentage: 20,
    DestinationS3Uri: 's3://bucket/capture',
    CaptureOptions: [{ CaptureMode: 'Input' as const }],
  };
  const capturing = {
    EnableCapture: true,
    CaptureStatus: 'Started' as const,
    CurrentSamplingPercentage: 20,
    DestinationS3Uri: 's3://bucket/capture',
    KmsKeyId: '',
  };

  it('sees capture turned on, off or moved', () => {
    expect(dataCaptureChanges(undefined, planned)).toBe(true);
    expect(dataCaptureChanges(capturing, undefined)).toBe(true);
    expect(dataCaptureChanges(capturing, { ...planned, EnableCapture: false })).toBe(true);
    expect(dataCaptureChanges(capturing, { ...planned, InitialSamplingPercentage: 50 })).toBe(true);
    expect(dataCaptureChanges(capturing, { ...planned, DestinationS3Uri: 's3://bucket/other' })).toBe(true);
    expect(dataCaptureChanges(capturing, { ...planned, KmsKeyId: 'alias/capture' })).toBe(true);
  });

  it('sees no change in the same capture, or in capture that is off on both sides', () => {
    expect(dataCaptureChanges(capturing, planned)).toBe(false);
    expect(dataCaptureChanges(undefined, undefined)).toBe(false);
    expect(dataCaptureChanges({ ...capturing, EnableCapture: false }, undefined)).toBe(false);
    expect(dataCaptureChanges(undefined, { ...planned, EnableCapture: false })).toBe(false);
  });

  it("takes a summary that does not say EnableCapture for capture that is off: the update keeps the variants' properties", () => {
    const silent = { ...capturing, EnableCapture: undefined };
    expect(dataCaptureChanges(silent, undefined)).toBe(false);
    expect(retainsVariantProperties(spec, dataCaptureChanges(silent, undefined))).toBe(true);
    expect(dataCaptureChanges(silent, planned)).toBe(true);
  });
});

describe('capacitiesAfterUpdate', () => {
  const autoscaled = [
    { variantName: 'Current', weight: 0.9, instanceCount: 2 },
    { variantName: 'Old', weight: 1, instanceCount: 1 },
  ];
  const desired = [
    { variantName: 'Current', weight: 0.5, instanceCount: 4 },
    { variantName: 'New', weight: 0.5, instanceCount: 1 },
  ];

  it('keeps what was applied to retained variants, so a changed value is applied afterwards', () => {
    const after = capacitiesAfterUpdate(spec, desired, autoscaled, true);
    expect(after).toEqual([{ variantName: 'Current', weight: 0.9, instanceCount: 2 }, desired[1]]);
    expect(weightsAndCapacitiesRequest('e', desired, after).DesiredWeightsAndCapacities).toEqual([
      { VariantName: 'Current', DesiredWeight: 0.5, DesiredInstanceCount: 4 },
    ]);
  });

  it('takes excluded properties from the new config', () => {
    const excluding: EndpointSpec = {
      ...spec,
      excludeRetainedVariantProperties: [{ variantPropertyType: 'DesiredWeight' }],
    };
    expect(capacitiesAfterUpdate(excluding, desired, autoscaled, true)[0]).toEqual({
      variantName: 'Current',
      weight: 0.5,
      instanceCount: 2,
    });
  });

  it('is the desired capacity when nothing is retained, whatever is excluded', () => {
    expect(capacitiesAfterUpdate(spec, desired, autoscaled, false)).toEqual(desired);
  });
});

describe('weightsAndCapacitiesRequest', () => {
  it('names only the changed values, so an autoscaled count survives a weight change', () => {
    expect(weightsAndCapacitiesRequest('ns-churn', reweighted, plan.capacities)).toEqual({
      EndpointName: 'ns-churn',
      DesiredWeightsAndCapacities: [{ VariantName: 'Current', DesiredWeight: 0.5 }],
    });
  });
});

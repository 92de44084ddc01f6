import type {
  DataCaptureConfig,
  DataCaptureConfigSummary,
  DesiredWeightAndCapacity,
  UpdateEndpointInput,
  UpdateEndpointWeightsAndCapacitiesInput,
  VariantPropertyType,
} from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../crds/endpoint.js';
import { UpdateEndpointInput as UpdateEndpointShape } from '../../crds/shapes/sagemaker.generated.js';
import { toRequest } from '../common/sagemaker-shape.js';
import type { Capacity, EndpointPlan } from './plan.js';

export type LastApplied = NonNullable<EndpointStatus['lastApplied']>;

/**
 * The record of the plan's config and capacities, applied for `generation`. `serving`: the endpoint
 * is known to serve them already (found on the config, or weights and capacities, only ever changed
 * on an endpoint InService on it), so describes need not show SageMaker taking the request up.
 */
export function appliedPlan(plan: EndpointPlan, generation: number, serving: boolean): LastApplied {
  return {
    endpointConfigName: plan.endpointConfig.EndpointConfigName ?? '',
    generation,
    capacities: plan.capacities,
    seenInProgress: serving,
    seenSettled: serving,
  };
}

/**
 * What a spec change needs, compared with what was last applied (not with what SageMaker reports,
 * so capacity that autoscaling changed is left alone unless the spec's own values changed).
 */
export type SpecChange = 'newConfig' | 'weightsAndCapacities' | 'none';

export function specChange(plan: EndpointPlan, applied: LastApplied | undefined): SpecChange {
  if (!applied || applied.endpointConfigName !== plan.endpointConfig.EndpointConfigName) return 'newConfig';
  return changedCapacities(plan.capacities, applied.capacities).length > 0 ? 'weightsAndCapacities' : 'none';
}

/**
 * Whether the planned data capture differs from what the endpoint captures now, on the fields
 * DescribeEndpoint reports (captureOptions and captureContentTypeHeader are not among them).
 * Capture that is off is off, whatever its other settings. A summary that does not say it captures
 * is taken as not capturing: taking it for capture would drop the retained variant properties (and
 * reset capacity autoscaling set) to turn off capture that is not on.
 */
export function dataCaptureChanges(
  current: DataCaptureConfigSummary | undefined,
  planned: DataCaptureConfig | undefined,
): boolean {
  const capturing = current?.EnableCapture === true;
  const wanted = planned !== undefined && planned.EnableCapture !== false;
  if (!capturing || !wanted) return capturing !== wanted;
  return (
    current.CurrentSamplingPercentage !== planned.InitialSamplingPercentage ||
    current.DestinationS3Uri !== planned.DestinationS3Uri ||
    (current.KmsKeyId ?? '') !== (planned.KmsKeyId ?? '')
  );
}

/**
 * Whether UpdateEndpoint keeps the variants' current properties (the spec's update policy, by
 * default yes). Not when data capture changes: SageMaker then keeps the old DataCaptureConfig as
 * well, and ExcludeRetainedVariantProperties cannot take it from the new config.
 */
export function retainsVariantProperties(spec: EndpointSpec, dataCaptureChanging: boolean): boolean {
  return (spec.retainAllVariantProperties ?? true) && !dataCaptureChanging;
}

/** UpdateEndpoint to a new config as the spec asks, retaining variant properties or not. */
export function updateEndpointRequest(
  spec: EndpointSpec,
  endpointName: string,
  endpointConfigName: string,
  retain: boolean,
): UpdateEndpointInput {
  const request = toRequest(UpdateEndpointShape, spec) as Omit<
    UpdateEndpointInput,
    'EndpointName' | 'EndpointConfigName'
  >;
  return {
    ...request,
    EndpointName: endpointName,
    EndpointConfigName: endpointConfigName,
    RetainAllVariantProperties: retain,
    ExcludeRetainedVariantProperties: retain ? request.ExcludeRetainedVariantProperties : undefined,
  };
}

/**
 * The capacities in effect once UpdateEndpoint has deployed a new config: without retained
 * properties, the spec's; with them, variants that existed before keep what was applied to them,
 * except the properties the policy takes from the new config, and new variants start with the spec's
 * values. A spec that changed a retained value as well is then applied by a following
 * UpdateEndpointWeightsAndCapacities.
 */
export function capacitiesAfterUpdate(
  spec: EndpointSpec,
  desired: readonly Capacity[],
  applied: readonly Capacity[],
  retain: boolean,
): Capacity[] {
  if (!retain) return [...desired];
  const excluded = new Set<VariantPropertyType>(
    (spec.excludeRetainedVariantProperties ?? []).map((p) => p.variantPropertyType),
  );
  return desired.map((want) => {
    const had = applied.find((c) => c.variantName === want.variantName);
    if (!had) return want;
    return {
      variantName: want.variantName,
      weight: excluded.has('DesiredWeight') ? want.weight : had.weight,
      instanceCount: excluded.has('DesiredInstanceCount') ? want.instanceCount : had.instanceCount,
    };
  });
}

/** UpdateEndpointWeightsAndCapacities for the values the spec changed, and only those. */
export function weightsAndCapacitiesRequest(
  endpointName: string,
  desired: readonly Capacity[],
  applied: readonly Capacity[],
): UpdateEndpointWeightsAndCapacitiesInput {
  return { EndpointName: endpointName, DesiredWeightsAndCapacities: changedCapacities(desired, applied) };
}

function changedCapacities(
  desired: readonly Capacity[],
  applied: readonly Capacity[],
): DesiredWeightAndCapacity[] {
  return desired.flatMap((want) => {
    const had = applied.find((c) => c.variantName === want.variantName);
    const weight = want.weight !== had?.weight ? want.weight : undefined;
    const count = want.instanceCount !== had?.instanceCount ? want.instanceCount : undefined;
    if (weight === undefined && count === undefined) return [];
    return [{ VariantName: want.variantName, DesiredWeight: weight, DesiredInstanceCount: count }];
  });
}

import { sagemakerName } from '../../aws/naming.js';
import type { EndpointSpec, EndpointStatus } from '../../crds/endpoint.js';
import type { MultiModelSetSpec } from '../../crds/multi-model-set.js';

export interface EndpointView {
  metadata: { name: string; namespace: string };
  spec: EndpointSpec;
  status?: EndpointStatus;
}

/**
 * Where a set copies its artifacts:
 * - `found`: the prefix, and the SageMaker endpoint serving it when endpointRef names one;
 * - `waiting`: the referenced Endpoint does not exist yet;
 * - `invalid`: it exists but declares no MultiModel container with a modelDataUrl.
 */
export type PrefixResolution =
  | { readonly type: 'found'; readonly prefix: string; readonly endpointName?: string }
  | { readonly type: 'waiting'; readonly message: string }
  | { readonly type: 'invalid'; readonly message: string };

export function resolvePrefix(spec: MultiModelSetSpec, endpoint: EndpointView | undefined): PrefixResolution {
  if (spec.modelDataPrefix !== undefined) return { type: 'found', prefix: spec.modelDataPrefix };
  const refName = spec.endpointRef?.name ?? '';
  if (!endpoint) return { type: 'waiting', message: `waiting for Endpoint ${refName} to exist` };
  const containers = endpoint.spec.models.flatMap((m) => [
    ...(m.primaryContainer ? [m.primaryContainer] : []),
    ...(m.containers ?? []),
  ]);
  const multiModel = containers.find((c) => c.mode === 'MultiModel');
  if (multiModel?.modelDataUrl === undefined)
    return {
      type: 'invalid',
      message: `Endpoint ${refName} has no container in MultiModel mode with a modelDataUrl (the S3 prefix of its models)`,
    };
  const endpointName =
    endpoint.status?.endpointName ??
    endpoint.spec.endpointName ??
    sagemakerName(endpoint.metadata.namespace, endpoint.metadata.name);
  return { type: 'found', prefix: multiModel.modelDataUrl, endpointName };
}

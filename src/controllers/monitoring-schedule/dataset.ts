import type { MonitoringScheduleSpec } from '../../crds/monitoring-schedule.js';
import type { InputRecord } from '../../crds/references.js';
import type { UnreadyReference } from '../common/conditions.js';
import { resolveUriSources, sourceUpstream, type UpstreamJobs } from '../common/upstream.js';

/**
 * The spec with its baseline dataset's s3UriFrom resolved, once the schedule has created something
 * (before that, the prerequisites decide). The dataset follows its upstream: a job that Completed
 * with another URI re-baselines. While the upstream has not Completed (run again, or failed), the
 * URI it resolved to last time (status.inputs) stays: what exists is never held back. Only a
 * reference new to the spec, whose job has not Completed, waits (or, for a job that failed, is
 * invalid), as before a first create.
 */
export function followedDataset(
  spec: MonitoringScheduleSpec,
  jobs: UpstreamJobs,
  recorded: readonly InputRecord[],
): { type: 'ready'; spec: MonitoringScheduleSpec; inputs?: InputRecord[] } | UnreadyReference {
  const resolved = resolveUriSources(spec, jobs);
  if (resolved.type === 'ready') return resolved;
  const dataset = spec.baseline?.fromDataset;
  const source = dataset?.s3UriFrom;
  if (!dataset || !source) return resolved;
  const upstream = sourceUpstream(source, jobs);
  const last = recorded.find(
    (input) =>
      input.kind === upstream.kind && input.name === upstream.name && input.output === upstream.output,
  );
  if (!last) return resolved;
  const { s3UriFrom: _s3UriFrom, ...rest } = dataset;
  return {
    type: 'ready',
    spec: { ...spec, baseline: { ...spec.baseline, fromDataset: { ...rest, s3Uri: last.uri } } },
  };
}

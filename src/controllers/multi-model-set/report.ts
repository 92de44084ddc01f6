import {
  MAX_FAILED_IN_STATUS,
  type MultiModelSetSpec,
  type MultiModelSetStatus,
} from '../../crds/multi-model-set.js';
import type { ReconcileContext } from '../../runtime/index.js';
import type { Failure } from './copies.js';
import type { DesiredModels } from './desired-models.js';
import { someNames } from './layout.js';
import type { SetMemory } from './memory.js';

/**
 * What a reconcile of a set reports: status.models and failedModels, Ready (in place, copying,
 * waiting for jobs, failing), and a Warning event when models start failing or fail anew. `failures`
 * are the models that could not be put in place in this reconcile, `inPlace` the models served
 * (model → TargetModel), `copying` how many were left for the next reconcile.
 */
export function reportModels(
  ctx: ReconcileContext<MultiModelSetStatus>,
  spec: MultiModelSetSpec,
  memory: SetMemory,
  desired: DesiredModels,
  failures: ReadonlyMap<string, Failure>,
  inPlace: ReadonlyMap<string, string>,
  copying: number,
): void {
  const names = new Set([
    ...desired.sources.keys(),
    ...desired.waiting.keys(),
    ...desired.invalid.keys(),
    ...desired.failedJobs.keys(),
  ]);
  // A copy that failed says more than the job before it; both are reported under the model's name.
  const failed = new Map<string, Failure>([
    ...[...desired.failedJobs].map(([name, f]): [string, Failure] => [
      name,
      { cause: f.reason, message: f.message },
    ]),
    ...failures,
  ]);
  const failedNames = [...failed.keys()].sort();
  const newlyFailing = failedNames.filter((name) => memory.failing.get(name) !== failed.get(name)?.message);
  memory.failing = new Map(failedNames.map((name) => [name, failed.get(name)?.message ?? '']));
  if (newlyFailing.length > 0)
    ctx.events.warning(
      'ModelFailed',
      `${newlyFailing.length} model(s) failed: ${someNames(
        newlyFailing.map((name) => `${name} (${failed.get(name)?.message ?? ''})`),
        3,
      )}`,
      'Copy',
    );
  const total = names.size;
  const ready = inPlace.size;
  const notServed = failedNames.filter((name) => !inPlace.has(name)).length;
  ctx.status.set({
    models: {
      desired: total,
      ready,
      failed: notServed,
      pending: Math.max(0, total - ready - notServed),
      summary: `${ready}/${total}`,
    },
    failedModels: failedNames.slice(0, MAX_FAILED_IN_STATUS).map((name) => {
      const failure = failed.get(name);
      return { name, reason: failure?.cause ?? '', message: failure?.message ?? '' };
    }),
  });
  const prefix = memory.prefix;
  const list = (which: readonly string[]): string =>
    someNames(
      which.map((name) => `${name} (${failed.get(name)?.cause ?? ''})`),
      3,
    );
  if (failures.size > 0) {
    const message = `${failures.size} of ${total} model(s) failed: ${list([...failures.keys()].sort())}; retried`;
    ctx.status.setCondition('Ready', 'False', 'ModelsFailed', message);
    return;
  }
  // A model whose newest job failed and that has nothing else to serve waits for a new job, not
  // for the operator: it holds back nothing.
  const unplaced = [...names].filter(
    (name) =>
      !inPlace.has(name) &&
      !desired.waiting.has(name) &&
      (desired.sources.has(name) || !desired.failedJobs.has(name)),
  );
  const jobsFailed =
    desired.failedJobs.size > 0
      ? `; the newest job of ${desired.failedJobs.size} model(s) failed: ${list([...desired.failedJobs.keys()].sort())}`
      : '';
  if (copying > 0 || unplaced.length > 0)
    ctx.status.setCondition(
      'Ready',
      'False',
      'Updating',
      `${ready} of ${total} model(s) in place under ${prefix}`,
    );
  else if (desired.waiting.size > 0)
    ctx.status.setCondition(
      'Ready',
      'False',
      'WaitingForReference',
      `${ready} of ${total} model(s) in place; ${someNames([...desired.waiting.values()], 3)}${jobsFailed}`,
    );
  // A set of no model serves nothing: its selector is waiting for its first job (which may be
  // applied with it, and reach the operator after it).
  else if (total === 0)
    ctx.status.setCondition(
      'Ready',
      'False',
      'WaitingForReference',
      spec.trainingJobSelector
        ? 'no model yet: no TrainingJob of this namespace matches trainingJobSelector'
        : 'no model yet: models is empty',
    );
  else
    ctx.status.setCondition(
      'Ready',
      'True',
      'ModelsInPlace',
      `${ready === total ? 'all' : `${ready} of`} ${total} model(s) in place under ${prefix}${jobsFailed}`,
    );
}

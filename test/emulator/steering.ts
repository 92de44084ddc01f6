import type { ObjectiveFormula } from './tuning-search.js';

/** Outcomes a test chooses in advance for a resource name; they hold until cleared or reset. */
export type Steer =
  | {
      kind: 'TrainingJob';
      name: string;
      outcome: 'Completed' | 'Failed' | 'MaxRuntimeExceeded';
      failureReason?: string;
    }
  | {
      /**
       * A hyperparameter tuning job (tuning.ts). Its training jobs report, in launch order, the
       * values of `objectiveValues` (1st job the 1st value, ...); past the list, or without it, the
       * value of `objective` for the job's hyperparameters; else a stable value in [0, 1) of the job's
       * name. `failedTrainingJobs`: launch numbers (1-based, the `NNN` of the job's name) of the
       * training jobs that fail, with `trainingJobFailureReason`. `outcome: 'Failed'`: the tuning job
       * fails with `failureReason` when its first training job ends (its running jobs are stopped).
       */
      kind: 'HyperParameterTuningJob';
      name: string;
      outcome?: 'Completed' | 'Failed';
      failureReason?: string;
      objectiveValues?: number[];
      objective?: ObjectiveFormula;
      failedTrainingJobs?: number[];
      trainingJobFailureReason?: string;
    }
  | {
      kind: 'ProcessingJob';
      name: string;
      outcome: 'Completed' | 'Failed';
      failureReason?: string;
      /**
       * Documents the job writes when it completes, beside `part-00000`: OutputName → key under that
       * output's S3Uri → content. Only outputs the request declares with an S3Uri are written (others
       * are ignored: the job may not exist when the steer is set); a Failed outcome writes nothing.
       */
      outputs?: ProcessingOutputs;
    }
  | {
      kind: 'TransformJob';
      name: string;
      outcome: 'Completed' | 'Failed';
      failureReason?: string;
    }
  | {
      kind: 'Endpoint';
      name: string;
      /** Which deployment the outcome applies to: the creation, or every later update. */
      on: 'create' | 'update';
      /**
       * create: Failed. update: Failed (back to InService on the old config with FailureReason),
       * RollingBack (through RollingBack to the same end), UpdateRollbackFailed.
       */
      outcome: 'Succeeded' | 'Failed' | 'RollingBack' | 'UpdateRollbackFailed';
      failureReason?: string;
      /**
       * A failed update ends without FailureReason, as an automatic rollback (alarms, blue/green)
       * leaves the endpoint: InService on the old config and nothing saying why.
       */
      withoutFailureReason?: boolean;
    }
  | {
      /**
       * AWS maintenance, once: the endpoint passes through SystemUpdating (for the
       * `endpointSystemUpdating` timing) the next time it is InService — at once if it is now.
       */
      kind: 'EndpointMaintenance';
      name: string;
    }
  | {
      kind: 'MonitoringSchedule';
      name: string;
      /** The end state of every execution of the schedule. */
      outcome: 'Completed' | 'CompletedWithViolations' | 'Failed';
      failureReason?: string;
    }
  | {
      /**
       * Model Monitor is closed to new customers (reference §4): for the account `name` (or every
       * account, `*`), CreateMonitoringSchedule and Create<Type>JobDefinition are refused. The
       * answer is `code`/`message` when given, else MODEL_MONITOR_CLOSED (monitoring.ts).
       */
      kind: 'ModelMonitorClosed';
      name: string;
      code?: string;
      message?: string;
    };

/** OutputName → key under that output's S3Uri (e.g. `evaluation.json`, `metrics/report.csv`) → content. */
export type ProcessingOutputs = Record<string, Record<string, string>>;

type SteerKind = Steer['kind'];
type SteerOf<K extends SteerKind> = Extract<Steer, { kind: K }>;

const keyOf = (kind: string, name: string, on = ''): string => `${kind}/${on}/${name.toLowerCase()}`;

export class Steering {
  private readonly steers = new Map<string, Steer>();
  private readonly listeners: ((steer: Steer) => void)[] = [];

  /** Refuses (throws) a steer whose documents are not strings under non-empty keys. */
  set(steer: Steer): void {
    if (steer.kind === 'ProcessingJob' && steer.outputs !== undefined) checkOutputs(steer.outputs);
    if (steer.kind === 'HyperParameterTuningJob') checkTuning(steer);
    this.steers.set(keyOf(steer.kind, steer.name, steer.kind === 'Endpoint' ? steer.on : ''), steer);
    for (const listener of this.listeners) listener(steer);
  }

  get<K extends SteerKind>(kind: K, name: string, on?: 'create' | 'update'): SteerOf<K> | undefined {
    return this.steers.get(keyOf(kind, name, on)) as SteerOf<K> | undefined;
  }

  /** A steer that applies once: returned and forgotten. */
  take<K extends SteerKind>(kind: K, name: string): SteerOf<K> | undefined {
    const steer = this.get(kind, name);
    if (steer) this.steers.delete(keyOf(kind, name));
    return steer;
  }

  /** Called for every steer set, so a steer can act on a resource that exists already. */
  onSet(listener: (steer: Steer) => void): void {
    this.listeners.push(listener);
  }

  clear(): void {
    this.steers.clear();
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The control API takes any JSON: a document that is not a string would otherwise fail the job late. */
function checkOutputs(outputs: unknown): void {
  if (!isRecord(outputs)) throw new Error('outputs: expected {outputName: {key: content}}');
  for (const [output, documents] of Object.entries(outputs)) {
    if (!isRecord(documents)) throw new Error(`outputs.${output}: expected {key: content}`);
    for (const [key, content] of Object.entries(documents)) {
      if (key.replace(/^\/+|\/+$/g, '') === '') throw new Error(`outputs.${output}: a key is empty`);
      if (typeof content !== 'string')
        throw new Error(`outputs.${output}.${key}: expected a string (JSON.stringify a document)`);
    }
  }
}

const numbers = (value: unknown): boolean =>
  Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));

/** The control API takes any JSON: an objective that is not a number would fail the tuning job late. */
function checkTuning(steer: Extract<Steer, { kind: 'HyperParameterTuningJob' }>): void {
  if (steer.objectiveValues !== undefined && !numbers(steer.objectiveValues))
    throw new Error('objectiveValues: expected an array of numbers');
  if (steer.failedTrainingJobs !== undefined && !numbers(steer.failedTrainingJobs))
    throw new Error('failedTrainingJobs: expected an array of launch numbers');
  const formula = steer.objective as unknown;
  if (formula !== undefined) {
    const weights = isRecord(formula) ? formula.weights : undefined;
    if (!isRecord(weights) || !numbers(Object.values(weights)))
      throw new Error('objective: expected {intercept?: number, weights: {hyperparameter: number}}');
  }
}

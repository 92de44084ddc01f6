/** Outcomes a test chooses in advance for a resource name; they hold until cleared or reset. */
export type Steer =
  | {
      kind: 'TrainingJob';
      name: string;
      outcome: 'Completed' | 'Failed' | 'MaxRuntimeExceeded';
      failureReason?: string;
    }
  | {
      kind: 'ProcessingJob' | 'TransformJob';
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

type SteerKind = Steer['kind'];
type SteerOf<K extends SteerKind> = Extract<Steer, { kind: K }>;

const keyOf = (kind: string, name: string, on = ''): string => `${kind}/${on}/${name.toLowerCase()}`;

export class Steering {
  private readonly steers = new Map<string, Steer>();
  private readonly listeners: ((steer: Steer) => void)[] = [];

  set(steer: Steer): void {
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

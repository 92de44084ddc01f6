export interface CallRecord {
  /** Increasing number, to read only the calls after a point (`since`). */
  seq: number;
  /** Epoch milliseconds when the call arrived. */
  time: number;
  operation: string;
  /** The resource name (or ARN, for tag operations) the call was about, when it names one. */
  resource?: string;
  /** Who made it: the ARN moto's STS names for its access key id (an assumed role's session, a user). */
  principal?: string;
  /** 'ok' or the error code answered (ThrottlingException, ValidationException, dropped, ...). */
  outcome: string;
  status: number;
  /** The access key id the request was signed with: whose credentials made the call. */
  accessKeyId?: string;
  /** The request as received (SageMaker's wire shape), for creates and updates. */
  request?: unknown;
}

/** A call the emulator is still working on. */
export interface InFlightCall {
  /** Epoch milliseconds when the call arrived. */
  time: number;
  operation: string;
  resource?: string | undefined;
}

/**
 * Name members in the order that identifies a call's subject (CreateEndpoint names a config too,
 * CreateTransformJob a model).
 */
const resourceMembers = [
  'TrainingJobName',
  'EndpointName',
  'EndpointConfigName',
  'TransformJobName',
  'ModelName',
  'MonitoringScheduleName',
  'JobDefinitionName',
  'ProcessingJobName',
  'HyperParameterTuningJobName',
  'ModelPackageArn',
  'ModelPackageName',
  'ModelPackageGroupName',
  'ResourceArn',
];

export function resourceOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const fields = input as Record<string, unknown>;
  for (const member of resourceMembers) {
    const value = fields[member];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** Every call, with totals per operation; the detailed log keeps the latest `capacity` entries. */
export class CallLog {
  private entries: CallRecord[] = [];
  private totals = new Map<string, number>();
  private seq = 0;

  /** Calls received whose answer is not sent yet (e.g. a create waiting for `createDelay`). */
  private readonly open = new Set<InFlightCall>();

  constructor(private readonly capacity = 100_000) {}

  /** Marks a call as received; the returned function marks it answered (or abandoned). */
  begin(call: InFlightCall): () => void {
    const entry = { ...call };
    this.open.add(entry);
    return () => {
      this.open.delete(entry);
    };
  }

  inFlight(): InFlightCall[] {
    return [...this.open];
  }

  record(entry: Omit<CallRecord, 'seq'>): void {
    this.entries.push({ seq: ++this.seq, ...entry });
    if (this.entries.length > this.capacity * 1.5) this.entries = this.entries.slice(-this.capacity);
    this.totals.set(entry.operation, (this.totals.get(entry.operation) ?? 0) + 1);
  }

  calls(filter: { since?: number; operation?: string; resource?: string } = {}): CallRecord[] {
    return this.entries.filter(
      (c) =>
        c.seq > (filter.since ?? 0) &&
        (filter.operation === undefined || c.operation === filter.operation) &&
        (filter.resource === undefined || c.resource === filter.resource),
    );
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.totals);
  }

  clear(): void {
    this.entries = [];
    this.totals.clear();
  }
}

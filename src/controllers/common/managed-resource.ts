import type { SageMakerClient, Tag } from '@aws-sdk/client-sagemaker';
import type { AwsClients } from '../../aws/clients.js';
import { scopeKey, type AwsScope } from '../../aws/identity.js';
import { sagemakerName } from '../../aws/naming.js';
import { applyTags, desiredTags, listAllTags } from '../../aws/resource-tags.js';
import { createOrFind, describeOrAbsent } from '../../aws/resources.js';
import { ownershipOf, type Owner } from '../../aws/tags.js';
import type { ManagedObject } from '../../crds/kind.js';
import { ReconcileError, type ReconcileContext, type ReconcileResult } from '../../runtime/index.js';
import type { ConditionValue } from './conditions.js';
import { classifyError } from './errors.js';
import { cachedScopeOf, ROLE_ANNOTATION, type IdentitySettings } from './identity.js';
import { documentReader, prerequisites, recordPrerequisites } from './prerequisites.js';

/** One SageMaker resource by name: how to describe it and where a description keeps its ARN. */
export interface ResourceRef<D> {
  /** What it is, in messages and events: `training job`, `endpoint config`. */
  readonly label: string;
  readonly name: string;
  /** Throws SageMaker's not-found error when the resource does not exist. */
  describe(): Promise<D>;
  arnOf(description: D): string | undefined;
}

/**
 * What a create came to:
 * - `created`: SageMaker accepted the call; `answer` is its response.
 * - `found`: the name was taken by a resource that is ours (a create whose answer was lost, an
 *   eventually consistent describe) or adopted: carry on with `description` as if described.
 * - `notVisible`: the name is taken but the resource cannot be described yet (just created, or
 *   just deleted by us): look again shortly.
 * A resource of someone else's is not an outcome: it throws `AlreadyExists` (see claim).
 */
export type Creation<C, D> =
  | { readonly type: 'created'; readonly answer: C }
  | { readonly type: 'found'; readonly description: D }
  | { readonly type: 'notVisible' };

export interface ManagedKindOptions extends IdentitySettings {
  readonly aws: AwsClients;
  readonly clusterName: string;
}

/** What the skeleton shares across reconciles. */
export interface ManagedResourceOptions extends ManagedKindOptions {
  readonly takenNames: TakenNames;
}

/**
 * Resources whose create was answered "name taken" by a resource that describe could not show yet
 * (just created by someone, eventually consistent): their object waits for it to show, rather than
 * call create again, for at most `waitMs`. In memory: after a restart, at most one more create is
 * answered so.
 */
export class TakenNames {
  private readonly since = new Map<string, number>();

  /** @param waitMs how long a describe may lag behind a create (--poll-interval-max). */
  constructor(readonly waitMs: number) {}

  taken(key: string): void {
    this.since.set(key, Date.now());
  }

  waiting(key: string): boolean {
    const since = this.since.get(key);
    if (since !== undefined && Date.now() - since < this.waitMs) return true;
    this.since.delete(key);
    return false;
  }

  seen(key: string): void {
    this.since.delete(key);
  }
}

/** How a kind names its SageMaker resource. */
export interface ManagedKind {
  /** The Kubernetes kind (ownership tags, messages): `TrainingJob`. */
  readonly kind: string;
  /** The spec field that may choose the SageMaker name, and the status field that records it. */
  readonly nameField: string;
  /** The status field that records the resource's ARN once created. */
  readonly arnField: string;
}

/**
 * The skeleton every controller of a SageMaker resource stands on (docs/architecture.md), made once per
 * reconcile or finalize. It resolves the SageMaker name, describes, creates and claims by ownership
 * tags; the controller decides what to call when.
 *
 * Contract:
 * - Idempotent: every method may run again after a crash, a conflict or a requeue, with the same
 *   result. Nothing is created without a describe by name first (or a create answered "name taken"
 *   followed by one), and the name is in status (recordName) before the first create.
 * - Cancel-safe: every SageMaker call carries ctx.signal; a reconcile abandoned between any two
 *   calls leaves nothing the next one cannot find again by name and claim by tags.
 * - Ownership: a resource is only tagged, updated, stopped or deleted when its tags say it is this
 *   object's (or an earlier object's of the same kind, namespace and name in this cluster), or when
 *   spec.adoptExisting takes it over. Anything else is `Synced=False AlreadyExists`, terminal, with
 *   Ready=False saying so.
 */
export class ManagedResource<S> {
  /** As whom and where the object's resources are managed (its namespace's identity). */
  readonly scope: AwsScope;
  readonly region: string;
  readonly sagemaker: SageMakerClient;
  /** The SageMaker name: as recorded in status, else spec's, else derived from namespace and name. */
  readonly name: string;
  readonly owner: Owner;
  /** What every resource of this object carries: ownership tags plus spec.tags. */
  readonly tags: Tag[];
  /** Passed to every SageMaker call: abandoned when this replica must stop acting. */
  readonly cancel: { abortSignal: AbortSignal };
  /** ARNs whose tags this reconcile already checked and corrected. */
  private readonly claimed = new Set<string>();

  private readonly takenNames: TakenNames;
  private readonly aws: AwsClients;

  constructor(
    private readonly ctx: ReconcileContext<S>,
    private readonly obj: ManagedObject,
    options: ManagedResourceOptions,
    private readonly kind: ManagedKind,
  ) {
    this.takenNames = options.takenNames;
    this.aws = options.aws;
    const { namespace, name, uid } = obj.metadata;
    this.scope = cachedScopeOf(obj, ctx.cache, options, this.created);
    this.region = this.scope.region;
    this.sagemaker = options.aws.sagemaker(this.scope);
    this.name =
      stringField(obj.status, kind.nameField) ??
      stringField(obj.spec, kind.nameField) ??
      sagemakerName(namespace, name);
    this.owner = { kind: kind.kind, namespace, name, uid, clusterName: options.clusterName };
    this.tags = desiredTags(this.owner, obj.spec.tags);
    this.cancel = { abortSignal: ctx.signal };
  }

  get generation(): number {
    return this.obj.metadata.generation ?? 0;
  }

  /** Whether status records a name, i.e. whether a create may ever have been made. */
  get nameRecorded(): boolean {
    return stringField(this.ctx.status.current, this.kind.nameField) !== undefined;
  }

  /**
   * Whether a resource this object created may still appear although describe says it is absent:
   * its ARN came back from our create (`createdArn`) but no describe has reported it yet
   * (`observedState`), and describes lag behind creates. During deletion, "absent" is believed only
   * once it has been seen, or once the deletion has waited as long as a describe may lag a create
   * (--poll-interval-max, as for a name taken by a resource not visible yet): a resource deleted
   * outside the operator before anyone saw it must not hold the object longer.
   */
  mayStillAppear(createdArn: string | undefined, observedState: string | undefined): boolean {
    if (createdArn === undefined || observedState !== undefined) return false;
    const deleting = this.obj.metadata.deletionTimestamp;
    if (deleting === undefined) return true;
    return Date.now() - new Date(deleting).getTime() < this.takenNames.waitMs;
  }

  /** Where sweeps keep what they listed for this object: per identity and region. */
  get scopeKey(): string {
    return scopeKey(this.scope);
  }

  /**
   * Whether status records the resource's ARN: something was created in the account and region
   * status records, and the object's resources stay there.
   */
  private get created(): boolean {
    return stringField(this.ctx.status.current, this.kind.arnField) !== undefined;
  }

  /**
   * The spec as SageMaker gets it (every s3UriFrom resolved) once what it depends on is ready and
   * its gates are met, the lineage recorded in status; else how the reconcile ends meanwhile, with
   * status saying why. Documents the gates read are looked for again after --poll-interval-max.
   * They hold back only the first create: once the resource's ARN is in status, the spec as it is
   * (a resource deleted outside the operator is created again at once).
   */
  async prerequisites<T>(spec: T): Promise<{ spec: T } | { result: ReconcileResult }> {
    if (this.created) return { spec };
    const read = documentReader(this.aws.s3(this.scope), this.ctx.signal);
    const result = await prerequisites({ metadata: this.obj.metadata, spec }, this.ctx.cache, read);
    return recordPrerequisites(
      this.ctx.status as unknown as Parameters<typeof recordPrerequisites>[0],
      result,
      this.takenNames.waitMs,
    );
  }

  /**
   * Writes the name, the region and the account to status before any create, so that a crash after
   * the create finds it again, and the resources are looked for where they are. Until something is
   * created, the region and the account follow the namespace's identity.
   */
  async recordName(name = this.name): Promise<void> {
    const current = this.ctx.status.current;
    const accountId = await this.aws.accountOf(this.scope);
    const placement = this.created
      ? {}
      : { region: this.region, ...(accountId === undefined ? {} : { accountId }) };
    const recorded: Record<string, string> = { [this.kind.nameField]: name, ...placement };
    if (Object.entries(recorded).every(([field, value]) => stringField(current, field) === value)) return;
    this.ctx.status.set(recorded as Partial<S>);
    await this.ctx.status.flush();
  }

  /**
   * The resources stay in the account they were made in: when the namespace's role has moved to
   * another account, describing there would find nothing (a delete would leak them, a create
   * duplicate them), so nothing is done until the role is put back. An object that has created
   * nothing follows the namespace's new identity. find() and create() check it; a kind whose
   * resource has no name to describe (a model version, made idempotent by its client token) checks
   * it before its own create.
   */
  async checkAccount(): Promise<void> {
    const recorded = stringField(this.ctx.status.current, 'accountId');
    if (recorded === undefined || !this.created) return;
    const acting = await this.aws.accountOf(this.scope);
    if (acting === undefined || acting === recorded) return;
    throw new ReconcileError(
      'terminal',
      'IdentityChanged',
      `the SageMaker resources of this object are in account ${recorded}, but namespace ${this.obj.metadata.namespace} now acts as account ${acting} (annotation ${ROLE_ANNOTATION}): nothing is described, created or deleted in another account; restore the namespace's role, or delete this object with deletionPolicy Retain and apply it again`,
    );
  }

  /** The description, or undefined when the resource does not exist. */
  async find<D>(ref: ResourceRef<D>): Promise<D | undefined> {
    await this.checkAccount();
    const found = await describeOrAbsent(ref.describe());
    if (found !== undefined) this.takenNames.seen(this.takenKey(ref));
    return found;
  }

  /**
   * Makes the create call. A create answered "name taken" is not an error by itself:
   * the resource is described and claimed, and the reconcile carries on if it is ours; while
   * describe cannot show it yet, create is not called again.
   */
  async create<C, D>(ref: ResourceRef<D>, call: () => Promise<C>): Promise<Creation<C, D>> {
    const key = this.takenKey(ref);
    if (this.takenNames.waiting(key)) return { type: 'notVisible' };
    await this.checkAccount();
    const outcome = await createOrFind(call, () => ref.describe());
    if (outcome.type === 'created') return outcome;
    if (outcome.existing === undefined) {
      this.takenNames.taken(key);
      return { type: 'notVisible' };
    }
    await this.claim(ref, outcome.existing);
    return { type: 'found', description: outcome.existing };
  }

  /**
   * Runs a create, with whatever it takes (the describes and derived resources before it). When
   * SageMaker refuses it for a reason a person must address (InvalidSpec, AccessDenied,
   * QuotaExceeded), Ready=False says so first, so that `kubectl get` and `kubectl wait` show why
   * nothing exists; errors that are retried (throttling, 5xx, busy) leave Ready alone. The error
   * still ends the reconcile: the controller loop records Synced=False and the one Warning event.
   */
  async attemptCreate<T>(create: () => Promise<T>): Promise<T> {
    try {
      return await create();
    } catch (err) {
      const ready = failedCreateCondition(err);
      if (ready) this.ctx.status.setCondition('Ready', ready.status, ready.reason, ready.message);
      throw err;
    }
  }

  private takenKey(ref: ResourceRef<unknown>): string {
    return `${this.obj.metadata.uid}/${this.scopeKey}/${ref.name}`;
  }

  /** The resource as it is, claimed, or created when absent (for resources named by content). */
  async ensure<D>(ref: ResourceRef<D>, call: () => Promise<unknown>): Promise<'present' | 'notVisible'> {
    if (await this.claimIfPresent(ref)) return 'present';
    const creation = await this.create(ref, call);
    return creation.type === 'notVisible' ? 'notVisible' : 'present';
  }

  /** Claims the resource if it exists; its description, or undefined when it does not. */
  async claimIfPresent<D>(ref: ResourceRef<D>): Promise<D | undefined> {
    const found = await this.find(ref);
    if (found !== undefined) await this.claim(ref, found);
    return found;
  }

  /**
   * Takes the resource over if it is ours or spec.adoptExisting says so, and gives it the desired
   * tags. Someone else's resource is left untouched: Ready=False and a terminal AlreadyExists.
   */
  async claim<D>(ref: ResourceRef<D>, description: D): Promise<void> {
    const arn = ref.arnOf(description) ?? '';
    if (this.claimed.has(arn)) return;
    const current = await listAllTags(this.sagemaker, arn, this.cancel);
    if (ownershipOf(current, this.owner) === 'foreign') {
      if (!this.obj.spec.adoptExisting) {
        const message = `${ref.label} ${ref.name} already exists and is not managed by this ${this.kind.kind}: set adoptExisting: true to take it over, or choose another ${this.kind.nameField}`;
        this.ctx.status.setCondition('Ready', 'False', 'AlreadyExists', message);
        throw new ReconcileError('terminal', 'AlreadyExists', message);
      }
      this.ctx.events.normal('Adopted', `adopted existing ${ref.label} ${ref.name}`, 'Adopt');
    }
    await applyTags(this.sagemaker, arn, current, this.tags, this.cancel);
    this.claimed.add(arn);
  }

  /**
   * Whether ownership must be checked: the resource was not created by this object as far as status
   * knows (no ARN recorded), or the spec (its tags, adoptExisting) changed since the last reconcile.
   */
  mustClaim(recordedArn: string | undefined): boolean {
    const observed = (this.ctx.status.current as { observedGeneration?: number }).observedGeneration;
    return recordedArn === undefined || observed !== this.generation;
  }

  /** Drift: puts back tags edited outside Kubernetes (unless this reconcile already did). */
  async correctTags(arn: string): Promise<void> {
    if (this.claimed.has(arn)) return;
    const current = await listAllTags(this.sagemaker, arn, this.cancel);
    await applyTags(this.sagemaker, arn, current, this.tags, this.cancel);
    this.claimed.add(arn);
  }

  /** Checked before any stop or delete: only what carries this object's tags is touched. */
  async owns(arn: string): Promise<boolean> {
    return ownershipOf(await listAllTags(this.sagemaker, arn, this.cancel), this.owner) !== 'foreign';
  }
}

/** Error classes that leave a resource uncreated until a person acts. */
const CREATE_BLOCKING = new Set(['terminal', 'accessDenied', 'quota']);
const MAX_MESSAGE = 32_768;

/** Ready=False with the error's reason when it blocks creation until a person acts; else undefined. */
function failedCreateCondition(err: unknown): ConditionValue | undefined {
  const failure = classifyError(err);
  if (!failure || !CREATE_BLOCKING.has(failure.errorClass)) return undefined;
  return { status: 'False', reason: failure.reason, message: failure.message.slice(0, MAX_MESSAGE) };
}

function stringField(record: object | undefined, field: string): string | undefined {
  const value = (record as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * `names` followed by the `added` ones it lacks: the derived resources (models, configs, job
 * definitions) an object has created, recorded in status so that deletion finds them all.
 */
export function including(names: readonly string[] | undefined, added: readonly string[]): string[] {
  const all = [...(names ?? [])];
  for (const name of added) if (!all.includes(name)) all.push(name);
  return all;
}

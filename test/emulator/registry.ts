import type {
  ContainerDefinition,
  CreateModelPackageGroupInput,
  CreateModelPackageInput,
  DeleteModelPackageGroupInput,
  DeleteModelPackageInput,
  DescribeModelPackageGroupInput,
  DescribeModelPackageInput,
  DescribeModelPackageOutput,
  DetailedModelPackageStatus,
  ListModelPackageGroupsInput,
  ListModelPackagesInput,
  ModelApprovalStatus,
  ModelPackageGroupStatus,
  ModelPackageStatus,
  UpdateModelPackageInput,
} from '@aws-sdk/client-sagemaker';
import type { Context, Handler, Wire } from './context.js';
import { echo } from './context.js';
import { ApiError, validation } from './errors.js';
import { imageDigest } from './images.js';
import { settleAll } from './lifecycle.js';
import { list } from './listing.js';
import type { Resource } from './resources.js';
import { newResource, Registry } from './resources.js';
import { tagsFrom } from './tags.js';

type PackageRequest = Wire<CreateModelPackageInput>;

export interface ModelPackageGroup extends Resource {
  status: ModelPackageGroupStatus;
  description?: string | undefined;
  /** The last version number handed out: versions are never reused, even after a delete. */
  lastVersion: number;
}

export interface ModelPackage extends Resource {
  request: PackageRequest;
  status: ModelPackageStatus;
  /** Versioned packages only. */
  group?: ModelPackageGroup;
  version?: number;
  approval?: ModelApprovalStatus | undefined;
  approvalDescription?: string | undefined;
  customerMetadata?: Record<string, string> | undefined;
}

export interface ModelRegistry {
  groups: Registry<ModelPackageGroup>;
  packages: Registry<ModelPackage>;
  operations: Record<string, Handler>;
  /** CreateModel's containers that name a model package, filled with the package's image and model data. */
  resolveContainer: (container: Wire<ContainerDefinition>) => Wire<ContainerDefinition>;
}

/** A validation profile's status while its package is in each status (a package validates once, while it is InProgress). */
const validationStatus: Record<ModelPackageStatus, DetailedModelPackageStatus> = {
  Pending: 'NotStarted',
  InProgress: 'InProgress',
  Completed: 'Completed',
  Failed: 'Failed',
  Deleting: 'Completed',
};

/**
 * What DescribeModelPackage reports for members the request left out: containers with the digest
 * their image resolved to, validation transforms' outputs without a KMS key.
 */
function withServerDefaults<T extends Partial<PackageRequest>>(request: T): T {
  const specification = request.InferenceSpecification;
  const validating = request.ValidationSpecification;
  return {
    ...request,
    ...(specification?.Containers && {
      InferenceSpecification: {
        ...specification,
        Containers: specification.Containers.map((container) => ({
          ...(container.Image !== undefined && { ImageDigest: imageDigest(container.Image) }),
          ...container,
        })),
      },
    }),
    ...(validating?.ValidationProfiles && {
      ValidationSpecification: {
        ...validating,
        ValidationProfiles: validating.ValidationProfiles.map((profile) => ({
          ...profile,
          ...(profile.TransformJobDefinition?.TransformOutput && {
            TransformJobDefinition: {
              ...profile.TransformJobDefinition,
              TransformOutput: { KmsKeyId: '', ...profile.TransformJobDefinition.TransformOutput },
            },
          }),
        })),
      },
    }),
  };
}

/** SageMaker seconds a group or package spends Pending, a group and a package InProgress, a deletion Deleting. */
const settling = { pending: 2, groupInProgress: 3, packageInProgress: 5, deleting: 3 };

/** The name part of a model package ARN (`group/3` for a version), or the name as given. */
const packageKey = (nameOrArn: string): string =>
  nameOrArn.replace(/^arn:[^:]+:sagemaker:[^:]*:\d{12}:model-package\//, '');
const groupKey = (nameOrArn: string): string =>
  nameOrArn.replace(/^arn:[^:]+:sagemaker:[^:]*:\d{12}:model-package-group\//, '');

const conflict = (message: string): ApiError => new ApiError('ConflictException', message);

/**
 * The model registry: model package groups and their versions (versioned model packages), and
 * unversioned model packages. Texts: `ModelPackageGroup <arn> does not exist.` and
 * `ModelPackage <arn> does not exist.` (ValidationException; what the SDK-facing tools match on:
 * ACK's "does not exist." suffix, moto's group text); `Model Package Group already exists: <arn>`.
 */
export function modelRegistry(ctx: Context): ModelRegistry {
  const groups = new Registry<ModelPackageGroup>('model-package-group', ctx.scope, (_, arn) =>
    validation(`ModelPackageGroup ${arn} does not exist.`),
  );
  const packages = new Registry<ModelPackage>('model-package', ctx.scope, (_, arn) =>
    validation(`ModelPackage ${arn} does not exist.`),
  );
  /** ClientToken → the package its create made: a retried create answers the same ARN. */
  const byClientToken = new Map<string, ModelPackage>();

  const touch = (resource: Resource): void => {
    resource.lastModifiedTime = ctx.now();
  };
  /** A version's status or approval changed: its state-change event (ModelPackageGroups have none). */
  const changed = (resource: ModelPackageGroup | ModelPackage): void => {
    touch(resource);
    if ('request' in resource) ctx.stateChanged('ModelPackage', resource, () => describePackage(resource));
  };

  const settledGroup = async (nameOrArn: string): Promise<ModelPackageGroup> => {
    const group = groups.require(groupKey(nameOrArn));
    await ctx.lifecycle.settle(group);
    return group;
  };

  /** Eventually consistent reads apply to versions too, although their describe names them by ARN. */
  const visiblePackage = async (nameOrArn: string): Promise<ModelPackage> => {
    const key = packageKey(nameOrArn);
    const found = packages.get(key);
    const missing = (): ApiError =>
      validation(
        `ModelPackage ${nameOrArn.startsWith('arn:') ? nameOrArn : packages.arn(key)} does not exist.`,
      );
    if (!found) throw missing();
    if (found.visibleAt !== undefined && Date.now() / 1000 < found.visibleAt) throw missing();
    await ctx.lifecycle.settle(found);
    return found;
  };

  const versionsOf = (group: ModelPackageGroup): ModelPackage[] =>
    [...packages.values()].filter((p) => p.group === group);

  const describeGroup = (group: ModelPackageGroup) => ({
    ModelPackageGroupName: group.name,
    ModelPackageGroupArn: group.arn,
    ModelPackageGroupDescription: group.description,
    CreationTime: group.creationTime,
    CreatedBy: {},
    ModelPackageGroupStatus: group.status,
  });

  const describePackage = (p: ModelPackage): Wire<DescribeModelPackageOutput> => ({
    ...withServerDefaults(
      echo(p.request, [
        'Tags',
        'ClientToken',
        'ModelPackageGroupName',
        'ModelPackageName',
        'ModelApprovalStatus',
        'CustomerMetadataProperties',
      ]),
    ),
    ModelPackageName: p.group?.name ?? p.name,
    ModelPackageGroupName: p.group?.name,
    ModelPackageVersion: p.version,
    ModelPackageArn: p.arn,
    CreationTime: p.creationTime,
    LastModifiedTime: p.lastModifiedTime,
    ModelPackageStatus: p.status,
    ModelPackageStatusDetails: {
      ValidationStatuses: (p.request.ValidationSpecification?.ValidationProfiles ?? []).map((profile) => ({
        Name: profile.ProfileName,
        Status: validationStatus[p.status],
      })),
      ImageScanStatuses: [],
    },
    ModelApprovalStatus: p.approval,
    ApprovalDescription: p.approvalDescription,
    CustomerMetadataProperties: p.customerMetadata,
    CertifyForMarketplace: p.request.CertifyForMarketplace ?? false,
    CreatedBy: {},
  });

  /** Pending, InProgress for `inProgressSeconds` (SageMaker time), then Completed; each change moves LastModifiedTime. */
  const planCreation = (resource: ModelPackageGroup | ModelPackage, inProgressSeconds: number): void => {
    const become = (status: 'InProgress' | 'Completed') => (): void => {
      resource.status = status;
      changed(resource);
    };
    const inProgressAt = ctx.now() + ctx.scaled(settling.pending);
    ctx.lifecycle.plan(resource, [
      { at: inProgressAt, run: become('InProgress') },
      { at: inProgressAt + ctx.scaled(inProgressSeconds), run: become('Completed') },
    ]);
  };

  /** Deleting, then gone from its registry: a delete repeated meanwhile changes nothing. */
  const startDeletion = <R extends ModelPackageGroup | ModelPackage>(
    resource: R,
    registry: Registry<R>,
  ): void => {
    if (resource.status === 'Deleting') return;
    resource.status = 'Deleting';
    changed(resource);
    ctx.lifecycle.plan(resource, [
      {
        at: ctx.now() + ctx.scaled(settling.deleting),
        run: () => {
          registry.delete(resource);
        },
      },
    ]);
  };

  const operations: Record<string, Handler> = {
    CreateModelPackageGroup(input: Wire<CreateModelPackageGroupInput>) {
      const name = input.ModelPackageGroupName!;
      const existing = groups.get(name);
      if (existing) throw validation(`Model Package Group already exists: ${existing.arn}`);
      const group: ModelPackageGroup = {
        ...newResource(name, groups.arn(name), ctx.now()),
        tags: tagsFrom(input.Tags),
        status: 'Pending',
        description: input.ModelPackageGroupDescription,
        lastVersion: 0,
      };
      planCreation(group, settling.groupInProgress);
      groups.add(group);
      return { ModelPackageGroupArn: group.arn };
    },
    async DescribeModelPackageGroup(input: Wire<DescribeModelPackageGroupInput>) {
      return describeGroup(await settledGroup(input.ModelPackageGroupName!));
    },
    async ListModelPackageGroups(input: Wire<ListModelPackageGroupsInput>) {
      await settleAll(ctx.lifecycle, groups.values());
      const { page, NextToken } = list(groups.values(), input, { defaultOrder: 'Ascending' });
      return {
        ModelPackageGroupSummaryList: page.map((g) => {
          const { CreatedBy: _, ...summary } = describeGroup(g);
          return summary;
        }),
        NextToken,
      };
    },
    async DeleteModelPackageGroup(input: Wire<DeleteModelPackageGroupInput>) {
      const group = await settledGroup(input.ModelPackageGroupName!);
      if (versionsOf(group).length > 0) {
        throw conflict(
          `Model Package Group ${group.arn} cannot be deleted because it has model package versions.`,
        );
      }
      startDeletion(group, groups);
      return {};
    },

    async CreateModelPackage(input: PackageRequest) {
      const token = input.ClientToken;
      const earlier = token === undefined ? undefined : byClientToken.get(token);
      if (earlier) return { ModelPackageArn: earlier.arn };
      if (input.ModelPackageGroupName !== undefined && input.ModelPackageName !== undefined) {
        throw validation(
          'Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use.',
        );
      }
      let pkg: ModelPackage;
      if (input.ModelPackageGroupName !== undefined) {
        const group = await settledGroup(input.ModelPackageGroupName);
        if (input.Tags !== undefined && input.Tags.length > 0) {
          throw validation(
            'Tags cannot be specified for a versioned model package: it uses the tags of its model package group.',
          );
        }
        if (group.status === 'Deleting') throw groups.missing(group.name);
        const version = ++group.lastVersion;
        const key = `${group.name}/${version}`;
        pkg = {
          ...newResource(key, packages.arn(key), ctx.now()),
          request: input,
          status: 'Pending',
          group,
          version,
          approval: input.ModelApprovalStatus ?? 'PendingManualApproval',
          customerMetadata: input.CustomerMetadataProperties,
        };
      } else {
        const name = input.ModelPackageName;
        if (name === undefined) throw validation('Missing ARN.');
        const existing = packages.get(name);
        if (existing) throw validation(`Model Package already exists: ${existing.arn}`);
        pkg = {
          ...newResource(name, packages.arn(name), ctx.now()),
          tags: tagsFrom(input.Tags),
          request: input,
          status: 'Pending',
          customerMetadata: input.CustomerMetadataProperties,
        };
      }
      planCreation(pkg, settling.packageInProgress);
      const hidden = ctx.settings.consistency.describeAfterCreate * ctx.settings.timeScale;
      if (hidden > 0) pkg.visibleAt = Date.now() / 1000 + hidden;
      packages.add(pkg);
      if (token !== undefined) byClientToken.set(token, pkg);
      return { ModelPackageArn: pkg.arn };
    },
    async DescribeModelPackage(input: Wire<DescribeModelPackageInput>) {
      return describePackage(await visiblePackage(input.ModelPackageName!));
    },
    async ListModelPackages(input: Wire<ListModelPackagesInput>) {
      await settleAll(ctx.lifecycle, packages.values());
      const group =
        input.ModelPackageGroupName === undefined ? undefined : groupKey(input.ModelPackageGroupName);
      // Without ModelPackageType only unversioned packages are listed, unless a group is named.
      const type = input.ModelPackageType ?? (group === undefined ? 'Unversioned' : 'Versioned');
      const { page, NextToken } = list(packages.values(), input, {
        defaultOrder: 'Ascending',
        where: (p) =>
          (type === 'Both' || (type === 'Versioned') === (p.group !== undefined)) &&
          (group === undefined || p.group?.name.toLowerCase() === group.toLowerCase()) &&
          (input.ModelApprovalStatus === undefined || p.approval === input.ModelApprovalStatus),
      });
      return {
        ModelPackageSummaryList: page.map((p) => ({
          ModelPackageName: p.group ? undefined : p.name,
          ModelPackageGroupName: p.group?.name,
          ModelPackageVersion: p.version,
          ModelPackageArn: p.arn,
          ModelPackageDescription: p.request.ModelPackageDescription,
          CreationTime: p.creationTime,
          ModelPackageStatus: p.status,
          ModelApprovalStatus: p.approval,
        })),
        NextToken,
      };
    },
    async UpdateModelPackage(input: Wire<UpdateModelPackageInput>) {
      const pkg = await visiblePackage(input.ModelPackageArn!);
      const approvalBefore = pkg.approval;
      if (input.ModelApprovalStatus !== undefined) {
        if (!pkg.group) throw validation('ModelApprovalStatus does not apply to unversioned model packages.');
        pkg.approval = input.ModelApprovalStatus;
      }
      if (input.ApprovalDescription !== undefined) pkg.approvalDescription = input.ApprovalDescription;
      if (input.CustomerMetadataProperties || input.CustomerMetadataPropertiesToRemove) {
        const removed = new Set(input.CustomerMetadataPropertiesToRemove);
        const metadata = Object.entries({
          ...pkg.customerMetadata,
          ...input.CustomerMetadataProperties,
        }).filter(([key]) => !removed.has(key));
        pkg.customerMetadata = metadata.length > 0 ? Object.fromEntries(metadata) : undefined;
      }
      if (pkg.approval === approvalBefore) touch(pkg);
      else changed(pkg);
      return { ModelPackageArn: pkg.arn };
    },
    async DeleteModelPackage(input: Wire<DeleteModelPackageInput>) {
      const pkg = await visiblePackage(input.ModelPackageName!);
      startDeletion(pkg, packages);
      return {};
    },
  };

  const resolveContainer = (container: Wire<ContainerDefinition>): Wire<ContainerDefinition> => {
    if (container.ModelPackageName === undefined) return container;
    const key = packageKey(container.ModelPackageName);
    const pkg = packages.get(key);
    if (!pkg) {
      const arn = container.ModelPackageName.startsWith('arn:')
        ? container.ModelPackageName
        : packages.arn(key);
      throw validation(`ModelPackage ${arn} does not exist.`);
    }
    const source = pkg.request.InferenceSpecification?.Containers?.[0];
    return {
      ...container,
      ...(source?.Image !== undefined && { Image: source.Image }),
      ...(source?.ModelDataUrl !== undefined && { ModelDataUrl: source.ModelDataUrl }),
      ...(source?.Environment !== undefined && {
        Environment: { ...source.Environment, ...container.Environment },
      }),
    };
  };

  return { groups, packages, operations, resolveContainer };
}

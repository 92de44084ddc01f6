import {
  CreateDataQualityJobDefinitionCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateMonitoringScheduleCommand,
  CreateProcessingJobCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  DeleteModelCommand,
  DescribeTrainingJobCommand,
  ListDataQualityJobDefinitionsCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  ListMonitoringExecutionsCommand,
  ListMonitoringSchedulesCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  paginateListModels,
  paginateListTrainingJobs,
  SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { ListTrainingJobsCommandInput, TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from '@jest/globals';
import { loadApiModel } from './api-model.js';
import { sageMakerApiModelPath } from '../rig/python.js';
import { failure, harnessForFile, phaseSeconds, role, until } from './test-harness.js';

const h = harnessForFile({ resetEach: true });

/** A listed resource, whatever its kind. */
interface Row {
  name: string;
  creation: number;
  modified?: number;
  status?: string;
}

type Input = Record<string, unknown>;

interface Kind {
  operation: string;
  /** Creates a resource of the kind named `name` (what it needs is created by `prepare`). */
  create(name: string): Promise<void>;
  prepare?(): Promise<void>;
  list(input: Input): Promise<{ rows: Row[]; NextToken?: string | undefined }>;
}

const ms = (date: Date | undefined): number => date!.getTime();
const analyzer = '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer';
const cluster = {
  ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large' as const, VolumeSizeInGB: 20 },
};

const trainingJob = (name: string) =>
  h.sagemaker.send(
    new CreateTrainingJobCommand({
      TrainingJobName: name,
      RoleArn: role,
      AlgorithmSpecification: { TrainingImage: 'xgb:1', TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/output` },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
    }),
  );
const model = (name: string) =>
  h.sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: role,
      PrimaryContainer: { Image: 'xgb:1', ModelDataUrl: `s3://${h.bucket}/m/model.tar.gz` },
    }),
  );
const endpointConfig = (name: string) =>
  h.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: 'base',
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 1,
        },
      ],
    }),
  );
const endpoint = (name: string) =>
  h.sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: 'base' }));
const dataQualityDefinition = (name: string) =>
  h.sagemaker.send(
    new CreateDataQualityJobDefinitionCommand({
      JobDefinitionName: name,
      DataQualityAppSpecification: { ImageUri: analyzer },
      DataQualityJobInput: { EndpointInput: { EndpointName: 'ep', LocalPath: '/opt/ml/processing/input' } },
      DataQualityJobOutputConfig: {
        MonitoringOutputs: [
          { S3Output: { S3Uri: `s3://${h.bucket}/reports`, LocalPath: '/opt/ml/processing/output' } },
        ],
      },
      JobResources: cluster,
      RoleArn: role,
    }),
  );
const schedule = (name: string, expression = 'cron(0 0 ? * * *)') =>
  h.sagemaker.send(
    new CreateMonitoringScheduleCommand({
      MonitoringScheduleName: name,
      MonitoringScheduleConfig: {
        ScheduleConfig: { ScheduleExpression: expression },
        MonitoringJobDefinitionName: 'base',
        MonitoringType: 'DataQuality',
      },
    }),
  );

const kinds: Kind[] = [
  {
    operation: 'ListTrainingJobs',
    create: (name) => trainingJob(name).then(() => undefined),
    list: async (input) => {
      const out = await h.sagemaker.send(new ListTrainingJobsCommand(input));
      const rows = out.TrainingJobSummaries!.map((s) => ({
        name: s.TrainingJobName!,
        creation: ms(s.CreationTime),
        modified: ms(s.LastModifiedTime),
        status: s.TrainingJobStatus!,
      }));
      return { rows, NextToken: out.NextToken };
    },
  },
  {
    operation: 'ListModels',
    create: (name) => model(name).then(() => undefined),
    list: async (input) => {
      const out = await h.sagemaker.send(new ListModelsCommand(input));
      const rows = out.Models!.map((s) => ({ name: s.ModelName!, creation: ms(s.CreationTime) }));
      return { rows, NextToken: out.NextToken };
    },
  },
  {
    operation: 'ListEndpointConfigs',
    prepare: () => model('base').then(() => undefined),
    create: (name) => endpointConfig(name).then(() => undefined),
    list: async (input) => {
      const out = await h.sagemaker.send(new ListEndpointConfigsCommand(input));
      const rows = out.EndpointConfigs!.map((s) => ({
        name: s.EndpointConfigName!,
        creation: ms(s.CreationTime),
      }));
      return { rows, NextToken: out.NextToken };
    },
  },
  {
    operation: 'ListEndpoints',
    prepare: async () => {
      await model('base');
      await endpointConfig('base');
    },
    create: (name) => endpoint(name).then(() => undefined),
    list: async (input) => {
      const out = await h.sagemaker.send(new ListEndpointsCommand(input));
      const rows = out.Endpoints!.map((s) => ({
        name: s.EndpointName!,
        creation: ms(s.CreationTime),
        modified: ms(s.LastModifiedTime),
        status: s.EndpointStatus!,
      }));
      return { rows, NextToken: out.NextToken };
    },
  },
  {
    operation: 'ListProcessingJobs',
    create: (name) =>
      h.sagemaker
        .send(
          new CreateProcessingJobCommand({
            ProcessingJobName: name,
            RoleArn: role,
            AppSpecification: { ImageUri: 'proc:1' },
            ProcessingResources: cluster,
          }),
        )
        .then(() => undefined),
    list: async (input) => {
      const out = await h.sagemaker.send(new ListProcessingJobsCommand(input));
      const rows = out.ProcessingJobSummaries!.map((s) => ({
        name: s.ProcessingJobName!,
        creation: ms(s.CreationTime),
        modified: ms(s.LastModifiedTime),
        status: s.ProcessingJobStatus!,
      }));
      return { rows, NextToken: out.NextToken };
    },
  },
  {
    operation: 'ListTransformJobs',
    prepare: () => model('base').then(() => undefined),
    create: (name) =>
      h.sagemaker
        .send(
          new CreateTransformJobCommand({
            TransformJobName: name,
            ModelName: 'base',
            TransformInput: {
              DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${h.bucket}/none` } },
            },
            TransformOutput: { S3OutputPath: `s3://${h.bucket}/out` },
            TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
          }),
        )
        .then(() => undefined),
    list: async (input) => {
      const out = await h.sagemaker.send(new ListTransformJobsCommand(input));
      const rows = out.TransformJobSummaries!.map((s) => ({
        name: s.TransformJobName!,
        creation: ms(s.CreationTime),
        modified: ms(s.LastModifiedTime),
        status: s.TransformJobStatus!,
      }));
      return { rows, NextToken: out.NextToken };
    },
  },
  {
    operation: 'ListMonitoringSchedules',
    prepare: () => dataQualityDefinition('base').then(() => undefined),
    create: (name) => schedule(name).then(() => undefined),
    list: async (input) => {
      const out = await h.sagemaker.send(new ListMonitoringSchedulesCommand(input));
      const rows = out.MonitoringScheduleSummaries!.map((s) => ({
        name: s.MonitoringScheduleName!,
        creation: ms(s.CreationTime),
        modified: ms(s.LastModifiedTime),
        status: s.MonitoringScheduleStatus!,
      }));
      return { rows, NextToken: out.NextToken };
    },
  },
  {
    operation: 'ListDataQualityJobDefinitions',
    create: (name) => dataQualityDefinition(name).then(() => undefined),
    list: async (input) => {
      const out = await h.sagemaker.send(new ListDataQualityJobDefinitionsCommand(input));
      const rows = out.JobDefinitionSummaries!.map((s) => ({
        name: s.MonitoringJobDefinitionName!,
        creation: ms(s.CreationTime),
      }));
      return { rows, NextToken: out.NextToken };
    },
  },
];

/** Waits (by reading the clock, not sleeping a guess) until the millisecond clock has passed `after`. */
const clockPast = (after: number) =>
  until(
    () => Promise.resolve(Date.now()),
    (now) => now > after + 1,
  );

/** Creates resources one after another, each in its own millisecond, so creation order is total. */
async function createInOrder(kind: Kind, names: string[]): Promise<void> {
  for (const name of names) {
    await kind.create(name);
    await clockPast(Date.now());
  }
}

const names = (rows: Row[]) => rows.map((r) => r.name);
const sortedBy = <T>(values: T[], order: 'Ascending' | 'Descending') =>
  [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0) * (order === 'Ascending' ? 1 : -1));

/** The model's documentation of an operation's SortOrder member: "The default is Ascending|Descending". */
async function documentedDefaults(): Promise<Map<string, { order: string; sortBy: string[] }>> {
  const apiModel = await loadApiModel(await sageMakerApiModelPath());
  const result = new Map<string, { order: string; sortBy: string[] }>();
  for (const kind of [...kinds.map((k) => k.operation), 'ListMonitoringExecutions']) {
    const input = apiModel.shapes[apiModel.operations[kind]!.input!.shape]!;
    const order = /default is (Ascending|Descending)/.exec(
      (input.members!.SortOrder!.documentation ?? '').replace(/<[^>]+>/g, ''),
    )?.[1];
    const sortBy = apiModel.shapes[input.members!.SortBy!.shape]!.enum!;
    result.set(kind, { order: order!, sortBy });
  }
  return result;
}

describe('List* sorting', () => {
  it('no List operation sorts by LastModifiedTime: the SortBy enums in the model', async () => {
    const defaults = await documentedDefaults();
    for (const [operation, { sortBy }] of defaults) {
      expect([operation, sortBy.includes('LastModifiedTime')]).toEqual([operation, false]);
    }
    expect(defaults.get('ListTrainingJobs')!.sortBy).toEqual(['Name', 'CreationTime', 'Status']);
    expect(defaults.get('ListMonitoringExecutions')!.sortBy).toEqual([
      'CreationTime',
      'ScheduledTime',
      'Status',
    ]);
    // What each operation's SortOrder documentation says; the emulator follows it.
    expect(Object.fromEntries([...defaults].map(([op, d]) => [op, d.order]))).toEqual({
      ListTrainingJobs: 'Ascending',
      ListModels: 'Descending',
      ListEndpointConfigs: 'Descending',
      ListEndpoints: 'Descending',
      ListProcessingJobs: 'Ascending',
      ListTransformJobs: 'Descending',
      ListMonitoringSchedules: 'Descending',
      ListDataQualityJobDefinitions: 'Descending',
      ListMonitoringExecutions: 'Descending',
    });
  });

  it.each(kinds.map((k) => [k.operation, k] as const))(
    '%s: default order, every SortBy of the model in both orders',
    async (operation, kind) => {
      const defaults = (await documentedDefaults()).get(operation)!;
      await kind.prepare?.();
      // Created b, a, c: name order and creation order differ.
      await createInOrder(kind, ['s-b', 's-a', 's-c']);
      const scoped = { NameContains: 's-' };
      const byDefault = (await kind.list(scoped)).rows;
      expect(names(byDefault)).toEqual(
        defaults.order === 'Ascending' ? ['s-b', 's-a', 's-c'] : ['s-c', 's-a', 's-b'],
      );
      for (const order of ['Ascending', 'Descending'] as const) {
        expect(names((await kind.list({ ...scoped, SortBy: 'Name', SortOrder: order })).rows)).toEqual(
          sortedBy(['s-a', 's-b', 's-c'], order),
        );
        const byCreation = (await kind.list({ ...scoped, SortBy: 'CreationTime', SortOrder: order })).rows;
        expect(names(byCreation)).toEqual(
          order === 'Ascending' ? ['s-b', 's-a', 's-c'] : ['s-c', 's-a', 's-b'],
        );
        if (defaults.sortBy.includes('Status')) {
          const statuses = (await kind.list({ ...scoped, SortBy: 'Status', SortOrder: order })).rows.map(
            (r) => r.status!,
          );
          expect(statuses).toHaveLength(3);
          expect(statuses).toEqual(sortedBy(statuses, order));
        }
      }
      // A SortBy value outside the operation's enum is refused by validation, as SageMaker does.
      const outside = defaults.sortBy.includes('Status') ? 'LastModifiedTime' : 'Status';
      expect((await failure(kind.list({ SortBy: outside }))).name).toBe('ValidationException');
    },
  );
});

describe('List* filters', () => {
  it.each(kinds.map((k) => [k.operation, k] as const))(
    '%s: NameContains and the creation-time bounds as the model documents them',
    async (operation, kind) => {
      await kind.prepare?.();
      await createInOrder(kind, ['f-one', 'f-two', 'f-three', 'g-four']);
      const all = (await kind.list({ NameContains: 'f-', SortBy: 'CreationTime', SortOrder: 'Ascending' }))
        .rows;
      expect(names(all)).toEqual(['f-one', 'f-two', 'f-three']);
      expect(names((await kind.list({ NameContains: 'thr' })).rows)).toEqual(['f-three']);
      const two = new Date(all[1]!.creation);
      const after = names(
        (await kind.list({ NameContains: 'f-', CreationTimeAfter: two, SortOrder: 'Ascending' })).rows,
      );
      const before = names((await kind.list({ NameContains: 'f-', CreationTimeBefore: two })).rows);
      // ListEndpoints, ListEndpointConfigs and ListModels: "a creation time greater than or equal to".
      const inclusive = ['ListEndpoints', 'ListEndpointConfigs', 'ListModels'].includes(operation);
      expect(after).toEqual(inclusive ? ['f-two', 'f-three'] : ['f-three']);
      expect(before).toEqual(['f-one']);
    },
  );

  it('StatusEquals, LastModifiedTime bounds (strict), kind-specific filters', async () => {
    await h.emulator.control.configure({ timings: { trainingStarting: 1e9 } });
    for (const name of ['t-1', 't-2', 't-3']) await trainingJob(name);
    const before = (await kinds[0]!.list({})).rows;
    const mark = Math.max(...before.map((r) => r.modified!));
    await clockPast(mark);
    await h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 't-2' }));
    const stopping = await h.sagemaker.send(new ListTrainingJobsCommand({ StatusEquals: 'Stopping' }));
    expect(stopping.TrainingJobSummaries!.map((s) => s.TrainingJobName)).toEqual(['t-2']);
    const changed = await h.sagemaker.send(
      new ListTrainingJobsCommand({ LastModifiedTimeAfter: new Date(mark) }),
    );
    expect(changed.TrainingJobSummaries!.map((s) => s.TrainingJobName)).toEqual(['t-2']);
    const t2 = ms(changed.TrainingJobSummaries![0]!.LastModifiedTime);
    const strictlyAfter = await h.sagemaker.send(
      new ListTrainingJobsCommand({ LastModifiedTimeAfter: new Date(t2) }),
    );
    expect(strictlyAfter.TrainingJobSummaries).toEqual([]);
    const unchanged = await h.sagemaker.send(
      new ListTrainingJobsCommand({ LastModifiedTimeBefore: new Date(t2), SortBy: 'Name' }),
    );
    expect(unchanged.TrainingJobSummaries!.map((s) => s.TrainingJobName)).toEqual(['t-1', 't-3']);

    await dataQualityDefinition('base');
    await schedule('mon-a');
    const schedules = await h.sagemaker.send(
      new ListMonitoringSchedulesCommand({ EndpointName: 'ep', MonitoringTypeEquals: 'DataQuality' }),
    );
    expect(schedules.MonitoringScheduleSummaries!.map((s) => s.MonitoringScheduleName)).toEqual(['mon-a']);
    const otherEndpoint = await h.sagemaker.send(
      new ListMonitoringSchedulesCommand({ EndpointName: 'other' }),
    );
    expect(otherEndpoint.MonitoringScheduleSummaries).toEqual([]);
    const definitions = await h.sagemaker.send(
      new ListDataQualityJobDefinitionsCommand({ EndpointName: 'other' }),
    );
    expect(definitions.JobDefinitionSummaries).toEqual([]);
  });

  it('ListTrainingJobs cuts the MaxResults page before StatusEquals: a page can be empty and carry a NextToken', async () => {
    await h.emulator.control.configure({ timings: { trainingStarting: 1e9 } });
    for (let i = 0; i < 12; i++) await trainingJob(`p-${String(i).padStart(2, '0')}`);
    await h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'p-11' }));
    const input: ListTrainingJobsCommandInput = {
      StatusEquals: 'Stopping',
      MaxResults: 5,
      SortBy: 'Name',
      SortOrder: 'Ascending',
    };
    const first = await h.sagemaker.send(new ListTrainingJobsCommand(input));
    expect(first.TrainingJobSummaries).toEqual([]);
    expect(first.NextToken).toBeDefined();
    const pages: TrainingJobSummary[][] = [];
    for await (const page of paginateListTrainingJobs({ client: h.sagemaker }, input)) {
      pages.push(page.TrainingJobSummaries!);
    }
    expect(pages.map((p) => p.map((s) => s.TrainingJobName))).toEqual([[], [], ['p-11']]);
  });

  it('monitoring executions: ScheduledTime sort and bounds, LastModifiedTime as the summary reports it', async () => {
    await dataQualityDefinition('base');
    await schedule('mon', 'cron(0 * ? * * *)');
    const list = (input: Input = {}) =>
      h.sagemaker
        .send(
          new ListMonitoringExecutionsCommand({ MonitoringScheduleName: 'mon', MaxResults: 100, ...input }),
        )
        .then((o) => o.MonitoringExecutionSummaries!);
    await until(
      list,
      (e) => e.filter((x) => x.MonitoringExecutionStatus === 'Completed').length >= 3,
      20_000,
    );
    const ascending = await list({ SortBy: 'ScheduledTime', SortOrder: 'Ascending' });
    const scheduled = ascending.map((e) => ms(e.ScheduledTime));
    expect(scheduled).toEqual(sortedBy(scheduled, 'Ascending'));
    const byDefault = (await list()).map((e) => ms(e.CreationTime));
    expect(byDefault).toEqual(sortedBy(byDefault, 'Descending'));
    const second = ascending[1]!;
    const later = await list({
      ScheduledTimeAfter: second.ScheduledTime,
      SortBy: 'ScheduledTime',
      SortOrder: 'Ascending',
    });
    expect(later.map((e) => ms(e.ScheduledTime))).toEqual(
      scheduled.filter((t) => t > ms(second.ScheduledTime)),
    );
    const done = ascending.find((e) => e.MonitoringExecutionStatus === 'Completed')!;
    // The processing job's completion moved the execution's LastModifiedTime past its creation.
    expect(ms(done.LastModifiedTime)).toBeGreaterThan(ms(done.CreationTime));
    const atOrAfter = await list({ LastModifiedTimeAfter: new Date(ms(done.LastModifiedTime) - 1) });
    expect(atOrAfter.map((e) => ms(e.ScheduledTime))).toContain(ms(done.ScheduledTime));
    const strictlyAfter = await list({ LastModifiedTimeAfter: done.LastModifiedTime });
    expect(strictlyAfter.map((e) => ms(e.ScheduledTime))).not.toContain(ms(done.ScheduledTime));
    const completed = await list({ StatusEquals: 'Completed' });
    expect(completed.length).toBeGreaterThanOrEqual(3);
    expect(new Set(completed.map((e) => e.MonitoringExecutionStatus))).toEqual(new Set(['Completed']));
  });
});

describe('List* pagination', () => {
  it('pages 230 models by 100 and by the default 10; MaxResults outside 1–100 and bad tokens are refused', async () => {
    const all = Array.from({ length: 230 }, (_, i) => `m-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < all.length; i += 23) await Promise.all(all.slice(i, i + 23).map(model));
    const pageSizes = async (pageSize?: number) => {
      const sizes: number[] = [];
      const seen: string[] = [];
      for await (const page of paginateListModels(
        { client: h.sagemaker, ...(pageSize && { pageSize }) },
        {},
      )) {
        sizes.push(page.Models!.length);
        seen.push(...page.Models!.map((m) => m.ModelName!));
      }
      return { sizes, seen };
    };
    const hundreds = await pageSizes(100);
    expect(hundreds.sizes).toEqual([100, 100, 30]);
    expect([...hundreds.seen].sort()).toEqual(all);
    const tens = await pageSizes();
    expect(tens.sizes).toEqual(Array.from({ length: 23 }, () => 10));
    expect(tens.seen).toEqual(hundreds.seen);
    expect(new Set(tens.seen).size).toBe(230);
    const last = await h.sagemaker.send(
      new ListModelsCommand({ MaxResults: 30, SortOrder: 'Ascending', NameContains: 'm-2' }),
    );
    expect(last.Models).toHaveLength(30);
    expect(last.NextToken).toBeUndefined();

    for (const MaxResults of [0, 101]) {
      expect((await failure(h.sagemaker.send(new ListModelsCommand({ MaxResults })))).name).toBe(
        'ValidationException',
      );
    }
    expect((await failure(h.sagemaker.send(new ListModelsCommand({ NextToken: 'not-a-token' })))).name).toBe(
      'ValidationException',
    );
  });

  it('a NextToken stays valid when resources are created and deleted between pages', async () => {
    const all = Array.from({ length: 150 }, (_, i) => `c-${String(i).padStart(3, '0')}`);
    for (const name of all) await model(name);
    for (const order of ['Ascending', 'Descending'] as const) {
      const input = { MaxResults: 100, SortBy: 'Name' as const, SortOrder: order };
      const first = await h.sagemaker.send(new ListModelsCommand(input));
      const seen = first.Models!.map((m) => m.ModelName!);
      // Between pages: delete two seen and two unseen models, create two that sort before the cursor
      // and two that sort after it.
      const unseen = all.filter((n) => !seen.includes(n));
      const gone = [seen[3]!, seen[50]!, unseen[0]!, unseen[10]!];
      for (const name of gone) await h.sagemaker.send(new DeleteModelCommand({ ModelName: name }));
      const early = order === 'Ascending' ? ['c-000a', 'c-050a'] : ['c-149a', 'c-120x'];
      const late = order === 'Ascending' ? ['c-149a', 'c-120x'] : ['c-000a', 'c-049a'];
      for (const name of [...early, ...late]) await model(name);
      const second = await h.sagemaker.send(new ListModelsCommand({ ...input, NextToken: first.NextToken }));
      const rest = second.Models!.map((m) => m.ModelName!);
      expect(second.NextToken).toBeUndefined();
      // Every unseen survivor exactly once, the new ones past the cursor, nothing from the first page.
      expect(rest).toEqual(sortedBy([...unseen.filter((n) => !gone.includes(n)), ...late], order));
      // Put the account back for the other order.
      for (const name of [...early, ...late])
        await h.sagemaker.send(new DeleteModelCommand({ ModelName: name }));
      for (const name of gone) await model(name);
    }
  });

  it('training jobs: one paginated LastModifiedTimeAfter scan by 100 finds exactly the jobs whose status changed', async () => {
    await h.emulator.control.configure({ timings: { trainingStarting: 1e9 } });
    const all = Array.from({ length: 130 }, (_, i) => `lm-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < all.length; i += 26) await Promise.all(all.slice(i, i + 26).map(trainingJob));
    const scan = async (input: ListTrainingJobsCommandInput) => {
      const found: TrainingJobSummary[] = [];
      for await (const page of paginateListTrainingJobs({ client: h.sagemaker, pageSize: 100 }, input)) {
        found.push(...page.TrainingJobSummaries!);
      }
      return found;
    };
    const everything = await scan({});
    expect(everything).toHaveLength(130);
    const mark = Math.max(...everything.map((s) => ms(s.LastModifiedTime)));
    await clockPast(mark);
    const stopped = ['lm-005', 'lm-064', 'lm-101', 'lm-129'];
    for (const name of stopped) await h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: name }));
    const changed = await scan({
      LastModifiedTimeAfter: new Date(mark),
      SortBy: 'Name',
      SortOrder: 'Ascending',
    });
    expect(changed.map((s) => s.TrainingJobName)).toEqual(stopped);
    expect(new Set(changed.map((s) => s.TrainingJobStatus))).not.toContain('InProgress');
  });
});

describe('LastModifiedTime', () => {
  it("moves with a training job's secondary status and is what ListTrainingJobs reports", async () => {
    // Phases long enough for each to be read at least once on a busy machine.
    const phase = phaseSeconds * 3;
    await h.emulator.control.configure({
      timings: {
        trainingStarting: phase,
        trainingDownloading: phase,
        trainingTraining: phase,
        trainingUploading: phase,
      },
    });
    await trainingJob('moving');
    const seen = new Map<string, number>();
    await until(
      () => h.sagemaker.send(new ListTrainingJobsCommand({ NameContains: 'moving' })),
      (out) => {
        const s = out.TrainingJobSummaries![0]!;
        if (!seen.has(s.SecondaryStatus!)) seen.set(s.SecondaryStatus!, ms(s.LastModifiedTime));
        expect(ms(s.LastModifiedTime)).toBe(seen.get(s.SecondaryStatus!));
        return s.TrainingJobStatus === 'Completed';
      },
      20_000,
    );
    const described = await h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'moving' }));
    const started = new Map<string, number>(
      described.SecondaryStatusTransitions!.map((t) => [t.Status!, ms(t.StartTime)]),
    );
    expect(seen.size).toBeGreaterThanOrEqual(3);
    for (const [secondary, modified] of seen)
      expect([secondary, modified]).toEqual([secondary, started.get(secondary)]);
    const times = [...seen.values()];
    expect(times).toEqual(sortedBy(times, 'Ascending'));
    expect(new Set(times).size).toBe(times.length);
    expect(ms(described.LastModifiedTime)).toBe(seen.get('Completed'));
  });

  it('moves with every endpoint status change: a scan after a mark finds exactly the endpoints under maintenance', async () => {
    await model('base');
    await endpointConfig('base');
    const all = ['e-1', 'e-2', 'e-3', 'e-4', 'e-5'];
    for (const name of all) await endpoint(name);
    const listAll = () => kinds[3]!.list({ MaxResults: 100 }).then((r) => r.rows);
    const ready = await until(listAll, (rows) => rows.every((r) => r.status === 'InService'));
    const mark = Math.max(...ready.map((r) => r.modified!));
    await clockPast(mark);
    for (const name of ['e-2', 'e-4']) await h.emulator.control.steer({ kind: 'EndpointMaintenance', name });
    const changed = await until(
      () => kinds[3]!.list({ LastModifiedTimeAfter: new Date(mark), SortBy: 'Name', SortOrder: 'Ascending' }),
      (out) => out.rows.length === 2 && out.rows.every((r) => r.status === 'InService'),
    );
    expect(names(changed.rows)).toEqual(['e-2', 'e-4']);
    const quiet = await kinds[3]!.list({
      LastModifiedTimeBefore: new Date(mark + 1),
      SortBy: 'Name',
      SortOrder: 'Ascending',
    });
    expect(names(quiet.rows)).toEqual(['e-1', 'e-3', 'e-5']);
  });
});

describe('List* throttling', () => {
  it('every List call, each page included, takes a token: per operation, or from a shared List* bucket', async () => {
    const once = new SageMakerClient({
      endpoint: h.emulator.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      for (let i = 0; i < 25; i++) await model(`t-${i}`);
      await h.emulator.control.configure({ rateLimits: { ListModels: { ratePerSecond: 0.001, burst: 2 } } });
      await h.emulator.control.clearCalls();
      const pages: number[] = [];
      const error = await failure(
        (async () => {
          for await (const page of paginateListModels({ client: once }, {})) pages.push(page.Models!.length);
        })(),
      );
      expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', status: 400 });
      expect(pages).toEqual([10, 10]);
      const { calls } = await h.emulator.control.calls({ operation: 'ListModels' });
      expect(calls.map((c) => c.outcome)).toEqual(['ok', 'ok', 'ThrottlingException']);
      // Other operations keep their own budget.
      await once.send(new ListEndpointsCommand({}));

      await h.emulator.control.configure({
        rateLimits: {
          'List*': { ratePerSecond: 0.001, burst: 3 },
          ListModels: { ratePerSecond: 1000, burst: 1000 },
        },
      });
      await once.send(new ListTrainingJobsCommand({}));
      await once.send(new ListEndpointsCommand({}));
      await once.send(new ListMonitoringSchedulesCommand({}));
      expect((await failure(once.send(new ListProcessingJobsCommand({})))).name).toBe('ThrottlingException');
      // An operation's own entry wins over the pattern; describes are not Lists.
      await once.send(new ListModelsCommand({}));
      expect((await failure(once.send(new DescribeTrainingJobCommand({ TrainingJobName: 'x' })))).name).toBe(
        'ValidationException',
      );
    } finally {
      once.destroy();
    }
  });
});

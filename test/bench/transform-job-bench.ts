/**
 * TransformJobs at scale: `npx tsx test/bench/transform-job-bench.ts [--jobs 500]
 * [--time-scale 0.05] [--rest-hours 1] [--concurrency 64]`. Each job runs one existing model over
 * the objects of one S3 prefix for 300 SageMaker seconds (InProgress, then Completed); what it
 * measures and how: job-bench.ts.
 */
import { CreateModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { jobBenchOptions, runJobBench } from './job-bench.js';

const BUCKET = 'bench-transform';
const MODEL = 'bench-model';

await runJobBench(
  {
    kind: 'TransformJob',
    plural: 'transformjobs',
    stateField: 'transformJobStatus',
    bucket: BUCKET,
    phases: { transformRunning: 300 },
    nextStatuses: ['Completed'],
    // InProgress, Completed: what a user sees change.
    stateChanges: 2,
    prepare: async (rig) => {
      const sagemaker = new SageMakerClient({
        endpoint: rig.emulator.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      });
      await sagemaker.send(
        new CreateModelCommand({
          ModelName: MODEL,
          ExecutionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
          PrimaryContainer: {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: `s3://${BUCKET}/model/model.tar.gz`,
          },
        }),
      );
      sagemaker.destroy();
    },
    spec: (i) => ({
      modelName: MODEL,
      transformInput: {
        dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: `s3://${BUCKET}/input/` } },
        contentType: 'text/csv',
        splitType: 'Line',
      },
      transformOutput: { s3OutputPath: `s3://${BUCKET}/output/${String(i)}`, assembleWith: 'Line' },
      transformResources: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
    }),
    buildDir: 'transform-job-bench-build',
    script: 'test/bench/transform-job-bench.ts',
  },
  jobBenchOptions(500),
);

/**
 * TrainingJobs at scale: `npx tsx test/bench/training-job-bench.ts [--jobs 1000]
 * [--time-scale 0.05] [--rest-hours 1] [--concurrency 64]`, with realistic phases (Starting 120 s,
 * Downloading 60 s, Training 600 s, Uploading 30 s); what it measures and how: job-bench.ts.
 */
import { jobBenchOptions, runJobBench } from './job-bench.js';

const BUCKET = 'bench-training';

await runJobBench(
  {
    kind: 'TrainingJob',
    plural: 'trainingjobs',
    stateField: 'secondaryStatus',
    bucket: BUCKET,
    phases: { trainingStarting: 120, trainingDownloading: 60, trainingTraining: 600, trainingUploading: 30 },
    nextStatuses: ['Downloading', 'Training', 'Uploading', 'Completed'],
    // Starting, Downloading, Training, Uploading, Completed: what a user sees change.
    stateChanges: 5,
    spec: (i) => ({
      roleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
      algorithmSpecification: {
        trainingImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
        trainingInputMode: 'File',
      },
      hyperParameters: { objective: 'reg:squarederror', num_round: String(50 + (i % 50)) },
      inputDataConfig: [
        {
          channelName: 'train',
          dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: `s3://${BUCKET}/data/train/` } },
          contentType: 'text/csv',
        },
      ],
      outputDataConfig: { s3OutputPath: `s3://${BUCKET}/output` },
      resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 10 },
      stoppingCondition: { maxRuntimeInSeconds: 86_400 },
    }),
    buildDir: 'training-job-bench-build',
    script: 'test/bench/training-job-bench.ts',
  },
  jobBenchOptions(1000),
);

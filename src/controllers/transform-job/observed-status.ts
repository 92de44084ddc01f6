import type { DescribeTransformJobResponse } from '@aws-sdk/client-sagemaker';
import type { TransformJobStatus } from '../../crds/transform-job.js';
import { isoTime } from '../common/sagemaker-shape.js';

/** What DescribeTransformJob reports, in the status shape users read. */
export function observedTransformJobStatus(
  job: DescribeTransformJobResponse,
): Omit<TransformJobStatus, 'conditions' | 'observedGeneration' | 'createdModelNames'> {
  return {
    transformJobName: job.TransformJobName ?? '',
    transformJobArn: job.TransformJobArn,
    transformJobStatus: job.TransformJobStatus,
    failureReason: job.FailureReason,
    modelName: job.ModelName,
    outputPath: job.TransformOutput?.S3OutputPath,
    transformStartTime: isoTime(job.TransformStartTime),
    transformEndTime: isoTime(job.TransformEndTime),
  };
}

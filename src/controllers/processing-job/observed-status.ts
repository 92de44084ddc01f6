import type { DescribeProcessingJobResponse } from '@aws-sdk/client-sagemaker';
import type { ProcessingJobStatus } from '../../crds/processing-job.js';
import { isoTime } from '../common/sagemaker-shape.js';

/** What DescribeProcessingJob reports, in the status shape users read. */
export function observedProcessingJobStatus(
  job: DescribeProcessingJobResponse,
): Omit<ProcessingJobStatus, 'conditions' | 'observedGeneration'> {
  const outputs = (job.ProcessingOutputConfig?.Outputs ?? []).flatMap((output) =>
    output.OutputName && output.S3Output?.S3Uri
      ? [{ outputName: output.OutputName, s3Uri: output.S3Output.S3Uri }]
      : [],
  );
  return {
    processingJobName: job.ProcessingJobName ?? '',
    processingJobArn: job.ProcessingJobArn,
    processingJobStatus: job.ProcessingJobStatus,
    failureReason: job.FailureReason,
    exitMessage: job.ExitMessage,
    outputs: outputs.length > 0 ? outputs : undefined,
    processingStartTime: isoTime(job.ProcessingStartTime),
    processingEndTime: isoTime(job.ProcessingEndTime),
  };
}

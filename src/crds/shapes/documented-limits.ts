/*
 * Limits SageMaker documents that its botocore model does not carry as constraints. They are laid
 * over the model where it is read (loadBotocoreModel in pinned-model.ts), so the generated CRD shapes and the
 * emulator's validation both enforce them, in the same words as the model's own limits.
 */
import type { BotocoreModel } from './botocore.js';

interface DocumentedLimit {
  max: number;
  /** Where SageMaker documents it. */
  source: string;
}

/** By botocore shape name: every member of that shape gets the limit. */
export const DOCUMENTED_LIMITS: Readonly<Record<string, DocumentedLimit>> = {
  // ResourceConfig, DebugRuleConfiguration, ProfilerRuleConfiguration, HyperParameterTuningResourceConfig.
  OptionalVolumeSizeInGB: {
    max: 16384,
    source:
      'training volumes are EBS General Purpose SSD volumes (ResourceConfig.VolumeSizeInGB), at most 16 TiB in EC2; the model bounds processing and monitoring volumes (ProcessingVolumeSizeInGB) at 16384 too',
  },
  // StoppingCondition of training and tuning jobs.
  MaxRuntimeInSeconds: {
    max: 2_419_200,
    source: 'StoppingCondition.MaxRuntimeInSeconds: "The maximum value is 28 days."',
  },
  // CreateTransformJob, TransformJobDefinition (model packages, algorithms).
  MaxPayloadInMB: {
    max: 100,
    source: 'CreateTransformJob.MaxPayloadInMB: "The value of MaxPayloadInMB cannot be greater than 100 MB."',
  },
};

/** The model with the documented limits laid over its shapes (a shape's own tighter limit stays). */
export function withDocumentedLimits(model: BotocoreModel): BotocoreModel {
  for (const [name, { max }] of Object.entries(DOCUMENTED_LIMITS)) {
    const shape = model.shapes[name];
    if (!shape) throw new Error(`documented limit for ${name}, a shape the SageMaker model does not have`);
    shape.max = Math.min(shape.max ?? max, max);
  }
  return model;
}

/** botocore's service-2.json vocabulary, read the same way as the CRD shape generator reads it. */
export type {
  BotocoreModel as ApiModel,
  MemberRef as ShapeRef,
  ModelShape as Shape,
  Operation,
} from '../../src/crds/shapes/botocore.js';
export { loadBotocoreModel as loadApiModel } from '../../src/crds/shapes/pinned-model.js';

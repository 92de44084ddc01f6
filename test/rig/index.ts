/**
 * The test rig: a real control plane (etcd + kube-apiserver), moto's S3 server, and the CRDs.
 * Used by jest's global setup, `npm run local` and the benchmarks.
 */
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
export { startS3, type S3Server } from './s3.js';
export { installCrds } from './crds.js';
export { ensureControlPlaneBinaries, KUBERNETES_VERSION, ETCD_VERSION } from './binaries.js';
export { ensurePythonVenv, sageMakerApiModelPath } from './python.js';
export { RigError } from './errors.js';
export { existingCluster } from './existing-cluster.js';

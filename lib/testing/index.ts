/**
 * Throwaway LXD and Incus daemons, test images and instances, for the tests of code that uses
 * lxc-images.
 * @module lxc-images/testing
 */
export { startSandbox, type Sandbox, type SandboxOptions, type SandboxBinary } from './sandbox.js';
export { startCluster, type Cluster, type ClusterMember, type ClusterOptions } from './cluster.js';
export {
  makeImage,
  makeSplitImage,
  sha256Files,
  CREATION_DATE,
  type ImageOptions,
  type TestImage,
  type TestSplitImage,
} from './make-image.js';
export { startStreamServer, type StreamServer } from './stream-server.js';
export { makeTestCa, type TestCa } from './tls.js';
export {
  containerSupport,
  createInstance,
  deleteInstance,
  snapshotInstance,
  startInstance,
  stopInstance,
  type ContainerSupport,
  type CreateInstanceOptions,
  type InstanceHost,
} from './instances.js';

export { startSandbox, type Sandbox, type SandboxOptions, type SandboxBinary } from './sandbox.js';
export {
  makeImage,
  makeSplitImage,
  CREATION_DATE,
  type ImageOptions,
  type TestImage,
  type TestSplitImage,
} from './make-image.js';

export { startSandbox, type Sandbox, type SandboxOptions, type SandboxBinary } from './sandbox.js';
export {
  makeImage,
  makeSplitImage,
  sha256Files,
  CREATION_DATE,
  type ImageOptions,
  type TestImage,
  type TestSplitImage,
} from './make-image.js';

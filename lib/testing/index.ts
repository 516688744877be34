export { startSandbox, type Sandbox, type SandboxOptions, type SandboxBinary } from './sandbox.js';

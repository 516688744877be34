/**
 * Simplestreams trees: a directory of images that LXD and Incus, clients and daemons, read as
 * a simplestreams remote once it is served over HTTPS. No daemon is needed to write one.
 * @module lxc-images/streams
 */
export { add } from './add.js';
export { list, type StreamsListOptions } from './list.js';
export { remove } from './remove.js';
export { verify, type VerifyResult, type Problem, type ProblemKind } from './verify.js';
export { prune, type PruneOptions, type PruneResult } from './prune.js';
export type { AddOptions, AddSource, ExportingClient } from './options.js';
export type { Mutator } from './call.js';

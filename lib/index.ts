import { createClient, type Client } from './client.js';

/** A ready client for the `lxc` binary. */
const lxc: Client = createClient();
/** A ready client for the `incus` binary. */
export const incus: Client = createClient({ binary: 'incus' });

export default lxc;
export { lxc };
export { createClient, type Client, type ClientOptions } from './client.js';
export * from './errors.js';
export * from './schemas.js';
export type { CallOptions, Mutator } from './mutator.js';
export type { Runner, RunOptions, RunResult } from './runner.js';
export type { Query, QueryOptions } from './query.js';
export type { ListOptions } from './images/reader.js';
export type { ImageWritable, DeleteOptions } from './images/editor.js';
export type { NewAlias, AliasWritable } from './images/aliases.js';
export type { WaitOptions } from './operations.js';
export { Images } from './images/index.js';
export { ImageAliases } from './images/aliases.js';
export { Operations } from './operations.js';
export { Remotes } from './remotes.js';
export type { ProgressEvent, ProgressHandler } from './images/progress.js';
export type { ImportSource } from './images/import.js';
export type { ExportResult } from './images/export.js';
export type {
  ImportOptions,
  CopyOptions,
  ExportOptions,
  RefreshOptions,
  ImageSecret,
} from './images/transfer.js';
export type { Method } from './context.js';

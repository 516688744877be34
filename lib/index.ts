/**
 * Typed, promise-based management of LXD and Incus images and image aliases, through the
 * `lxc`/`incus` CLI (the default transport) or directly over REST.
 * @module lxc-images
 */
import { createClient, type Client } from './client.js';

/** A ready client for the `lxc` binary (created on first use of a call; no side effects at import). */
const lxc: Client = createClient();
/** A ready client for the `incus` binary. */
export const incus: Client = createClient({ binary: 'incus' });

export default lxc;
export { lxc };
export { createClient, type Client } from './client.js';
export type { ClientOptions } from './options.js';
export * from './errors.js';
export * from './schemas.js';
export type { CallOptions, Mutator } from './call/core.js';
export type { Runner, RunOptions, RunResult } from './transport/cli/runner.js';
export type { Query, QueryOptions } from './api/query.js';
export type {
  ListOptions,
  ImportOptions,
  CopyOptions,
  ExportOptions,
  RefreshOptions,
  PublishOptions,
  InfoOptions,
  DeleteOptions,
  DeleteNoWaitOptions,
} from './api/images.js';
export type { ImageWritable } from './requests/write.js';
export type { NewAlias, AliasWritable } from './requests/aliases.js';
export type { AliasReplacement } from './api/aliases.js';
export type { WaitOptions } from './api/operations.js';
export type { RemoteListOptions } from './api/remotes.js';
export { Images } from './api/images.js';
export { ImageAliases } from './api/aliases.js';
export { Operations } from './api/operations.js';
export { Remotes } from './api/remotes.js';
export type { ProgressEvent, ProgressHandler } from './progress.js';
export type { ImportSource } from './requests/import.js';
export type { ExportResult } from './requests/export.js';
export type { RefreshResult } from './requests/refresh.js';
export type { ImageSecret } from './requests/secret.js';
export type { Method, Request, ApiRequest, CliRequest, Target } from './requests/request.js';
export type {
  Transport,
  Reply,
  Upload,
  UploadSource,
  Download,
  Relay,
} from './transport/transport.js';

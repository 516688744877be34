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
export * from './wire/errors.js';
export { PruneError, type Kept, type PruneFailure, type PruneResult } from './wire/prune-error.js';
export type { PrunePolicy } from './wire/checks-prune.js';
export type { ImageUsage } from './requests/usage.js';
export * from './wire/schemas.js';
export type { CallOptions, Mutator, Tail } from './call/core.js';
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
  UsageOptions,
  PruneOptions,
} from './api/images.js';
export type { ImageWritable } from './flows/write.js';
export type { NewAlias, AliasWritable } from './flows/aliases.js';
export type { AliasReplacement, AliasCalls, AliasSetOptions, ImageAliases } from './api/aliases.js';
export type {
  EnsureCall,
  EnsureOptions,
  EnsureDryRunOptions,
  EnsureDryRunTail,
  EnsureWetOptions,
  SyncOptions,
  Rollout,
  RolloutCalls,
} from './api/rollout.js';
export type { EnsureResult, EnsurePlan } from './flows/ensure.js';
export type { SyncResult } from './flows/sync.js';
export type { EnsureSpec, EnsureSource, EnsureFlags } from './wire/checks-rollout.js';
export type { SyncFlags, SyncMode } from './wire/checks-sync.js';
export type { RolloutAction, SyncStatus, TransferHow } from './wire/rollout.js';
export type { AliasSetFlags } from './flows/set-alias.js';
export type { WaitOptions, OperationCalls, Operations } from './api/operations.js';
export type { RemoteListOptions, Remotes } from './api/remotes.js';
export type { ImageCalls, Images, DeleteCall } from './api/images.js';
export type { ApiCall, ApiCalls } from './api/define.js';
export type { ProgressEvent, ProgressHandler } from './wire/progress.js';
export type { ImportSource } from './wire/checks-transfer.js';
export type { ExportResult } from './flows/export.js';
export type { RefreshResult } from './flows/refresh.js';
export type { ImageSecret } from './flows/secret.js';
export type { PublishFlags } from './flows/publish.js';
export type { SecretOption } from './flows/secret-read.js';
export type {
  Method,
  Request,
  ApiRequest,
  CliRequest,
  Target,
  Reply,
  Upload,
  UploadSource,
  Download,
  Relay,
  Spool,
  SpoolRequest,
  Probe,
  ProbeReply,
  Stored,
  Lifetime,
  Guard,
  Send,
  Policy,
} from './wire/request.js';
export type { Transport } from './transport/transport.js';

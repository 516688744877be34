import type { RolloutAction, SyncStatus } from './rollout.js';

/** The stable `code` of each {@link LxcError} class. */
export type LxcErrorCode =
  | 'ERR_LXC'
  | 'ERR_LXC_NOT_FOUND'
  | 'ERR_LXC_CONFLICT'
  | 'ERR_LXC_INSTANCE_RUNNING'
  | 'ERR_LXC_VALIDATION'
  | 'ERR_LXC_REMOTE'
  | 'ERR_LXC_BINARY_NOT_FOUND'
  | 'ERR_LXC_TIMEOUT'
  | 'ABORT_ERR'
  | 'ERR_LXC_PARSE'
  | 'ERR_LXC_PRUNE'
  | 'ERR_LXC_SYNC';

/** Details that every {@link LxcError} may carry. */
export interface LxcErrorDetails {
  /** The argv or request that failed (`GET local:/1.0/images/…`), secrets redacted. */
  command?: readonly string[] | undefined;
  /** The child's exit code, when it exited. */
  exitCode?: number | undefined;
  /** The HTTP status, when the REST transport got an answer. */
  status?: number | undefined;
  /** The child's stderr, or the daemon's error text (secrets redacted). */
  stderr?: string | undefined;
  /** The child's stdout, or the response body (secrets redacted). */
  stdout?: string | undefined;
  /** The signal that ended the child (`SIGTERM`…). */
  signal?: string | undefined;
  /** Milliseconds from the start of the process or request to its failure. */
  durationMs?: number | undefined;
  /** The remote the call was aimed at. */
  remote?: string | undefined;
  /** The original failure, secrets redacted. */
  cause?: unknown;
}

/**
 * The base class of every rejection from lxc-images.
 *
 * `message` is LXD's own wording without its `Error: ` prefix. `code` is stable
 * (`ERR_LXC_NOT_FOUND`…); `command`, `exitCode`, `status`, `stderr`, `stdout`, `signal`,
 * `durationMs` and `remote` say what failed and how; `cause` keeps the original failure.
 * Secrets (trust passwords, tokens, image secrets) are redacted from every field.
 *
 * @example
 * ```ts
 * lxc.images.info('local', 'alpine').catch((error: unknown) => {
 *   if (error instanceof NotFoundError) return undefined;
 *   if (error instanceof LxcError) console.error(error.code, error.message);
 *   throw error;
 * });
 * ```
 */
export class LxcError extends Error {
  /** The stable code of this class of error. */
  static readonly code: LxcErrorCode = 'ERR_LXC';
  /** A stable code: `ERR_LXC`, `ERR_LXC_NOT_FOUND`, … (`ABORT_ERR` for {@link AbortError}). */
  readonly code: LxcErrorCode;
  /** The argv or request that failed, secrets redacted; empty when nothing ran. */
  readonly command: readonly string[];
  /** Exit code of the child, if it exited. */
  readonly exitCode: number | undefined;
  /** HTTP status of the answer, on the REST transport. */
  readonly status: number | undefined;
  /** Standard error of the child, or the daemon's error text. */
  readonly stderr: string;
  /** Standard output of the child, or the response body, when there was one. */
  readonly stdout: string;
  /** The signal that ended the child, if one did. */
  readonly signal: string | undefined;
  /** How long the failed process or request ran, in milliseconds. */
  readonly durationMs: number | undefined;
  /** The remote the call was aimed at. */
  readonly remote: string | undefined;

  constructor(message: string, details: LxcErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = new.target.code;
    this.command = details.command ?? [];
    this.exitCode = details.exitCode;
    this.status = details.status;
    this.stderr = details.stderr ?? '';
    this.stdout = details.stdout ?? '';
    this.signal = details.signal;
    this.durationMs = details.durationMs;
    this.remote = details.remote;
  }
}
LxcError.prototype.name = 'LxcError';

/** Thrown when an image, alias, operation or project does not exist. */
export class NotFoundError extends LxcError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_NOT_FOUND';
}
NotFoundError.prototype.name = 'NotFoundError';

/**
 * Thrown when the thing to create already exists (same fingerprint, alias taken), or when a
 * write kept meeting a concurrent writer's change (`If-Match` refused every attempt).
 */
export class ConflictError extends LxcError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_CONFLICT';
}
ConflictError.prototype.name = 'ConflictError';

/**
 * Thrown by `images.publish` when the instance runs and `force` was not passed (a running
 * instance cannot be published; `force: true` stops it, publishes, and starts it again).
 * A {@link ConflictError}: the instance's state conflicts with the request. `instance` names it.
 */
export class InstanceRunningError extends ConflictError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_INSTANCE_RUNNING';
  /** The running instance. */
  readonly instance: string;
  constructor(instance: string, details: LxcErrorDetails = {}) {
    super(
      `The instance "${instance}" is running: pass force: true to have it stopped, published and started again`,
      details,
    );
    this.instance = instance;
  }
}
InstanceRunningError.prototype.name = 'InstanceRunningError';

/** Thrown for bad input, before anything runs. `field` names the argument or option. */
export class ValidationError extends LxcError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_VALIDATION';
  /** The argument or option that was refused. */
  readonly field: string;
  constructor(field: string, message: string, details: LxcErrorDetails = {}) {
    super(`${field}: ${message}`, details);
    this.field = field;
  }
}
ValidationError.prototype.name = 'ValidationError';

/**
 * Thrown when the remote is unknown, unreachable, went away mid-call, does not trust this
 * client, or is of the wrong kind. On a cluster, `member` names the member that could not be
 * reached, when the daemon said which.
 */
export class RemoteError extends LxcError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_REMOTE';
  /** The unreachable cluster member's address, when the daemon named one. */
  readonly member: string | undefined;
  constructor(message: string, details: LxcErrorDetails & { member?: string | undefined } = {}) {
    super(message, details);
    this.member = details.member;
  }
}
RemoteError.prototype.name = 'RemoteError';

/** Thrown when the `lxc`/`incus` binary cannot be found or run. */
export class BinaryNotFoundError extends LxcError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_BINARY_NOT_FOUND';
}
BinaryNotFoundError.prototype.name = 'BinaryNotFoundError';

/**
 * Thrown when a call's `timeout` passed, counted from the moment the call was made. The child
 * process was killed, or the request destroyed, and a server-side operation cancelled.
 */
export class TimeoutError extends LxcError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_TIMEOUT';
}
TimeoutError.prototype.name = 'TimeoutError';

/**
 * Thrown when a call's `signal` was aborted. The child process was killed, or the request
 * destroyed, and a server-side operation cancelled. `code` is `ABORT_ERR`, as Node's own.
 */
export class AbortError extends LxcError {
  static override readonly code: LxcErrorCode = 'ABORT_ERR';
}
AbortError.prototype.name = 'AbortError';

/**
 * Thrown when the command or request succeeded but its output is not what was expected.
 * `raw` keeps the output as it was.
 */
export class ParseError extends LxcError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_PARSE';
  /** The unparsed output. */
  readonly raw: string;
  constructor(message: string, raw: string, details: LxcErrorDetails = {}) {
    super(message, { stdout: raw, ...details });
    this.raw = raw;
  }
}
ParseError.prototype.name = 'ParseError';

/** What `images.sync` did on one target (see {@link SyncStatus}). */
export interface SyncTargetResult {
  /** The target remote. */
  remote: string;
  status: SyncStatus;
  /** Why the target failed (`failed`), or why it was skipped (`skipped`). */
  error?: LxcError | undefined;
  /** For a `cluster-peer`: the target of the same cluster that the image was copied to. */
  via?: string | undefined;
  /** What was changed on the target (in a dry run: what would be). */
  actions: RolloutAction[];
  /** In a dry run: whether the target holds the image now. */
  present?: boolean | undefined;
  /** In a dry run: the fingerprint each asked alias points at on the target now (`null`: none). */
  aliases?: Record<string, string | null> | undefined;
}

/**
 * Thrown by `images.sync` when a target failed (the others were still done, unless `failFast`
 * skipped them), and the `cause` of its `AbortError` or `TimeoutError` (targets finished before
 * the abort keep the image; those it stopped were undone). `results` lists every target, in the
 * order given; `fingerprint` names the image.
 */
export class SyncError extends LxcError {
  static override readonly code: LxcErrorCode = 'ERR_LXC_SYNC';
  /** The image that was synced. */
  readonly fingerprint: string;
  /** What happened on each target, in the order the targets were given. */
  readonly results: readonly SyncTargetResult[];
  constructor(
    fingerprint: string,
    results: readonly SyncTargetResult[],
    details: LxcErrorDetails = {},
  ) {
    const failed = results.filter((r) => r.status === 'failed');
    const why = failed.map((r) => `${r.remote} (${r.error?.message ?? 'failed'})`).join(', ');
    const message =
      failed.length > 0
        ? `the sync failed on ${failed.length} of ${results.length} targets: ${why}`
        : `the sync was stopped before it ended; results say what each target holds`;
    super(message, {
      cause: failed[0]?.error,
      ...details,
    });
    this.fingerprint = fingerprint;
    this.results = results;
  }
}
SyncError.prototype.name = 'SyncError';

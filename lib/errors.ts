/** Details that every {@link LxcError} carries. */
export interface LxcErrorDetails {
  /** The argv that failed, with secrets redacted; empty when nothing was spawned. */
  command?: readonly string[];
  /** The child's exit code, when it exited. */
  exitCode?: number | undefined;
  /** The child's stderr (may be empty). */
  stderr?: string;
  /** The remote the call was aimed at. */
  remote?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The base class of every rejection from lxc-images.
 *
 * `message` is LXD's own wording without its `Error: ` prefix. Inspect `command`
 * (the redacted argv), `exitCode`, `stderr` and `remote` for details.
 */
export class LxcError extends Error {
  /** The argv that failed, secrets redacted. */
  readonly command: readonly string[];
  /** Exit code of the child, if it exited. */
  readonly exitCode: number | undefined;
  /** Standard error of the child. */
  readonly stderr: string;
  /** The remote the call was aimed at. */
  readonly remote: string | undefined;

  constructor(message: string, details: LxcErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.command = details.command ?? [];
    this.exitCode = details.exitCode;
    this.stderr = details.stderr ?? '';
    this.remote = details.remote;
  }
}
LxcError.prototype.name = 'LxcError';

/** Thrown when an image, alias, operation or project does not exist. */
export class NotFoundError extends LxcError {}
NotFoundError.prototype.name = 'NotFoundError';

/** Thrown when the thing to create already exists (same fingerprint, alias taken). */
export class ConflictError extends LxcError {}
ConflictError.prototype.name = 'ConflictError';

/**
 * Thrown for bad input, before any process starts. `field` names the argument.
 */
export class ValidationError extends LxcError {
  /** The argument or option that was refused. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}
ValidationError.prototype.name = 'ValidationError';

/** Thrown when the remote is unknown, unreachable, not trusted, or of the wrong kind. */
export class RemoteError extends LxcError {}
RemoteError.prototype.name = 'RemoteError';

/** Thrown when the `lxc`/`incus` binary cannot be found or run. */
export class BinaryNotFoundError extends LxcError {}
BinaryNotFoundError.prototype.name = 'BinaryNotFoundError';

/** Thrown when a call's `timeout` passed; the child process was killed. */
export class TimeoutError extends LxcError {}
TimeoutError.prototype.name = 'TimeoutError';

/** Thrown when a call's `signal` was aborted; the child process was killed. */
export class AbortError extends LxcError {}
AbortError.prototype.name = 'AbortError';

/**
 * Thrown when the command succeeded but its output is not what was expected.
 * `raw` keeps the output as it was.
 */
export class ParseError extends LxcError {
  /** The unparsed output. */
  readonly raw: string;
  constructor(message: string, raw: string, details: LxcErrorDetails = {}) {
    super(message, details);
    this.raw = raw;
  }
}
ParseError.prototype.name = 'ParseError';

import {
  AbortError,
  BinaryNotFoundError,
  ConflictError,
  LxcError,
  NotFoundError,
  RemoteError,
  TimeoutError,
  type LxcErrorDetails,
} from './errors.js';

/** What is known about a failed child process. */
export interface Failure {
  /** The redacted argv. */
  command: readonly string[];
  exitCode?: number | undefined;
  stderr: string;
  /** The spawn error code (`ENOENT`...). */
  code?: string | undefined;
  timedOut?: boolean;
  isCanceled?: boolean;
  remote?: string | undefined;
  cause?: unknown;
}

type ErrorClass = new (message: string, details: LxcErrorDetails) => LxcError;

// stderr patterns of LXD 5.0 and Incus 6.0 (run with LC_ALL=C), first match wins.
const PATTERNS: readonly (readonly [RegExp, ErrorClass])[] = [
  // the image exists, it has nothing to refresh from
  [/image source not found/i, LxcError],
  [/already exists/i, ConflictError],
  [
    /\bnot found\b|no such (?:image|alias|operation|project)|doesn't exist in project/i,
    NotFoundError,
  ],
  [
    /remote .* (?:doesn't|does not) exist|isn't a private|not a private|unable to connect|connection refused|no route to host|certificate|not authorized|forbidden|failed to connect|tls: |x509: |i\/o timeout|no such host/i,
    RemoteError,
  ],
];

/** Takes LXD's own message out of stderr: the last `Error: ` line, without the prefix. */
export function stderrMessage(stderr: string): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter(Boolean);
  const errorLine = [...lines].reverse().find((line) => line.startsWith('Error: '));
  const line = errorLine ?? lines.at(-1) ?? '';
  return line.replace(/^Error: /, '');
}

/** Picks the error class for an LXD message. */
export function classifyMessage(message: string): ErrorClass {
  return PATTERNS.find(([pattern]) => pattern.test(message))?.[1] ?? LxcError;
}

/** Turns a failed child process into the matching {@link LxcError} subclass. */
export function toLxcError(failure: Failure): LxcError {
  const details: LxcErrorDetails = {
    command: failure.command,
    exitCode: failure.exitCode,
    stderr: failure.stderr,
    remote: failure.remote,
    cause: failure.cause,
  };
  const program = failure.command[0] ?? 'lxc';
  if (failure.code === 'ENOENT' || failure.code === 'EACCES') {
    return new BinaryNotFoundError(`${program}: binary not found or not executable`, details);
  }
  if (failure.timedOut) return new TimeoutError(`${program} timed out and was killed`, details);
  if (failure.isCanceled) return new AbortError(`${program} was aborted and killed`, details);
  const message =
    stderrMessage(failure.stderr) || `${program} exited with code ${String(failure.exitCode)}`;
  const ErrorClass = classifyMessage(message);
  return new ErrorClass(message, details);
}

import {
  ConflictError,
  LxcError,
  NotFoundError,
  RemoteError,
  type LxcErrorDetails,
} from './errors.js';

type ErrorClass = new (message: string, details: LxcErrorDetails) => LxcError;

// LXD 5.0 and Incus 6.0 messages (the CLI runs with LC_ALL=C), first match wins.
const PATTERNS: readonly (readonly [RegExp, ErrorClass])[] = [
  // the image exists, it has nothing to refresh from
  [/image source not found/i, LxcError],
  // a compressor the daemon cannot run (`exec: "pigz": executable file not found in $PATH`)
  [/executable file not found/i, LxcError],
  [/already exists/i, ConflictError],
  [
    /\bnot found\b|no such (?:image|alias|operation|project)|doesn't exist in project/i,
    NotFoundError,
  ],
  [
    /remote .* (?:doesn't|does not) exist|isn't a private|not a private|unable to connect|connection refused|connection reset|broken pipe|unexpected EOF|\bEOF$|no route to host|certificate|not authorized|forbidden|untrusted|failed to connect|failed to notify peer|peer node \S+ is down|tls: |x509: |i\/o timeout|no such host|server closed|socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|missing TLS client/i,
    RemoteError,
  ],
];

// An HTTP status that says what failed when the message does not.
const STATUSES: Readonly<Record<number, ErrorClass>> = {
  403: RemoteError,
  404: NotFoundError,
  409: ConflictError,
  412: ConflictError,
};

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

/** Picks the error class for an LXD message, or for the HTTP status that came with it. */
export function classifyMessage(message: string, status?: number): ErrorClass {
  const byMessage = PATTERNS.find(([pattern]) => pattern.test(message))?.[1];
  return byMessage ?? (status === undefined ? undefined : STATUSES[status]) ?? LxcError;
}

/** The cluster member a message says could not be reached (`failed to notify peer <addr>`). */
export function unreachableMember(message: string): string | undefined {
  return /(?:notify peer|connect to peer|peer node) (\[?[\w.:-]+\]?:\d+)/i.exec(message)?.[1];
}

/** Makes the {@link LxcError} subclass that an LXD message (and HTTP status) calls for. */
export function errorFromMessage(
  message: string,
  details: LxcErrorDetails,
  status?: number,
): LxcError {
  const ErrorClass = classifyMessage(message, status);
  if (ErrorClass === RemoteError) {
    return new RemoteError(message, { ...details, member: unreachableMember(message) });
  }
  return new ErrorClass(message, details);
}

import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ProgressHandler } from './progress.js';

/** HTTP methods of the LXD API. */
export type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** Where a request goes: a remote and, when set, a project. */
export interface Target {
  /** The remote's name in the client's config (`local`, `images`…). */
  remote: string;
  /** The project, sent as `?project=` (REST) or `--project` (CLI commands). */
  project?: string | undefined;
}

/** A REST request, as data. */
export interface ApiRequest<T = unknown> {
  method: Method;
  /** The API path, each segment encoded: `/1.0/images/<fp>`. */
  path: string;
  /** Query parameters; the target's `project` is added unless `global` is set. */
  query?: Readonly<Record<string, string>> | undefined;
  /** A JSON body. */
  body?: unknown;
  /** Validates the answer's `metadata` (an operation, for a background request). */
  schema: z.ZodType<T>;
  /** Sent as `If-Match` by the REST transport (the CLI cannot send headers). */
  etag?: string | undefined;
  /** Wait until the background operation ends and resolve to it (`lxc query --wait`). */
  wait?: boolean | undefined;
  /** The path is not project-scoped: leave the target's project out. */
  global?: boolean | undefined;
}

/** A CLI command, as data: for what REST cannot serve (simplestreams reads) or defines (filters). */
export interface CliRequest<T = unknown> {
  /** The argv after the binary; `--project=` is added from the target. */
  args: readonly string[];
  /** Turns stdout into the result (throws `ParseError`). */
  parse: (stdout: string) => T;
}

/**
 * Image data to upload: one file (unified), two (split: metadata, rootfs), or a stream (an
 * image's bytes, or with `contentType` an export's body as the daemon sent it: multipart for a
 * split image; `length` when known).
 */
export type UploadSource =
  | { kind: 'files'; files: readonly string[] }
  | { kind: 'stream'; stream: Readable; contentType?: string; length?: number };

/**
 * What an upload or a relay stored: the image's fingerprint, and `since`, the daemon's own time
 * at which the operation that stored it began (what the ownership rule of an undo compares with).
 */
export interface Stored {
  fingerprint: string;
  since: Date;
}

/** An upload of image data into `POST /1.0/images`; resolves to what it {@link Stored}. */
export interface Upload {
  source: UploadSource;
  /** Properties to set on the image. */
  properties: Readonly<Record<string, string>>;
  /** Make the image public. */
  public: boolean;
  /** Receives the bytes sent. */
  onProgress?: ProgressHandler | undefined;
  /** The fingerprint the data must have: the daemon refuses other data (REST), or it is undone (CLI). */
  fingerprint?: string | undefined;
  /** The image's file name on the daemon (a file source's own name when left out). */
  filename?: string | undefined;
}

/** An export of an image into a directory; resolves to the names of the files written. */
export interface Download {
  fingerprint: string;
  /** An empty directory that receives the file(s). */
  dir: string;
  /** Receives the bytes received. */
  onProgress?: ProgressHandler | undefined;
}

/** A copy that passes through this client (relay mode); resolves to what it {@link Stored} on the target, if anything. */
export interface Relay {
  fingerprint: string;
  /** Where the image goes. */
  to: Target;
  /** Make the copy public. */
  public: boolean;
  /** The image's file name on the source (kept on the copy). */
  filename?: string | undefined;
  /** Receives the bytes moved. */
  onProgress?: ProgressHandler | undefined;
}

/**
 * An image read once from its remote into a temporary file of the client, to be uploaded to many
 * (a relay to several targets): it resolves as soon as the export has begun.
 */
export interface SpoolRequest {
  fingerprint: string;
  /** An empty directory of the caller's, for the file(s). */
  dir: string;
  /** Receives the bytes read. */
  onProgress?: ProgressHandler | undefined;
}

/** An image being read into a temporary file by a {@link SpoolRequest}. */
export interface Spool {
  /** Settles once the whole image is on disk and its sha256 is the fingerprint. */
  readonly whole: Promise<void>;
  /** A source for one more upload: it reads the file from the start, following the export. */
  source(): UploadSource;
  /** Stops the export if it still runs, and closes the file. */
  close(): void;
}

/** A `HEAD` request to an image URL (as a daemon sends before a URL import), trusting what `lxc` trusts. */
export interface Probe {
  url: string;
  /** Extra request headers. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** What a {@link Probe} answered: the status and the headers (names in lower case). */
export interface ProbeReply {
  status: number;
  headers: Record<string, string>;
}

/**
 * How an abort of the call treats a request:
 * - `call` (default): it stops with the call.
 * - `uncut`: it starts an operation or a token, so once sent whole it is not cut (within the
 *   cleanup time): cut mid-flight, the daemon would make an operation whose id nobody knows.
 * - `cleanup`: it cleans up after the call, so it runs even after an abort, at once (not queued
 *   behind other requests), within the cleanup time.
 */
export type Lifetime = 'call' | 'uncut' | 'cleanup';

/**
 * A read-modify-write that loses nothing: `read` (with its ETag), `write` works out the request
 * from what was read (`undefined`: nothing to write), then `read` again for the result. The
 * client runs these one at a time per `key`, and again on a stale ETag (412).
 */
export interface Guard<T> {
  /** What the write is about, `image <fp>` or `alias <name>` (scoped by remote and project). */
  key: string;
  read: ApiRequest<T>;
  write(current: T, etag: string | undefined): ApiRequest | undefined;
  /** Read the object again after the write, for the result (default `true`). */
  readBack?: boolean | undefined;
}

/**
 * What a call needs from the daemon, as data. One of: the REST form and the CLI form where the
 * CLI serves it instead (the CLI transport prefers it when present; the REST transport uses it
 * only for remotes REST cannot reach), a transfer of image data (`upload`, `download`, `relay`,
 * `spool`), a `probe` of an image URL, or a `guard`ed write. `lifetime` says what an abort does to it, `lock` runs it while no other
 * request of the client holds that key, and `secret` makes it an untrusted client's read.
 */
export interface Request<T = unknown> {
  api?: ApiRequest<T> | undefined;
  cli?: CliRequest<T> | undefined;
  upload?: Upload | undefined;
  download?: Download | undefined;
  relay?: Relay | undefined;
  spool?: SpoolRequest | undefined;
  probe?: Probe | undefined;
  guard?: Guard<T> | undefined;
  lifetime?: Lifetime | undefined;
  lock?: string | undefined;
  /**
   * The same read, of a simplestreams remote, as a listing that a transport may serve in the
   * client (the REST transport fetches and caches the remote's index; `cli` serves it otherwise):
   * its images passed through the `lxc image list` filters, or its aliases.
   */
  simplestreams?: { images: readonly string[] } | { aliases: true } | undefined;
  /**
   * Read as a client that the server does not trust, with a secret from `createSecret` (sent as
   * `?secret=`, over HTTPS without a client certificate, and redacted everywhere).
   */
  secret?: string | undefined;
}

/** What a transport answered: the parsed data, and the ETag when the transport can see it. */
export interface Reply<T> {
  data: T;
  /** The `ETag` header (REST only). */
  etag?: string | undefined;
}

/** The one send seam: sends a request to a target and resolves to its reply. */
export type Send = <T>(
  target: Target,
  request: Request<T>,
  signal: AbortSignal,
) => Promise<Reply<T>>;

/** A policy of the seam: wraps a send into another (scheduling, locks, lifetimes, failover). */
export type Policy = (next: Send) => Send;

/**
 * `GET <path>?recursion=1`: a whole collection in one request, validated by `schema`; `global`
 * for a collection that belongs to no project.
 */
export function listing<T>(path: string, schema: z.ZodType<T>, global?: boolean): ApiRequest<T> {
  return { method: 'GET', path, query: { recursion: '1' }, schema, ...(global && { global }) };
}

/** Encodes each segment and joins them into an API path: `apiPath('1.0', 'images', name)`. */
export function apiPath(...segments: string[]): string {
  return '/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

/**
 * The path and query string of an API request, with the target's project added unless the
 * request is `global` or names a project itself. A path that already holds a query string
 * (from `client.query`) is kept as it is.
 */
export function requestUrl(request: ApiRequest, project: string | undefined): string {
  if (request.query === undefined && (project === undefined || request.global)) return request.path;
  const params = new URLSearchParams(request.query);
  const named = params.has('project') || /[?&]project=/.test(request.path);
  if (project !== undefined && !request.global && !named) params.set('project', project);
  const query = params.toString().replaceAll('+', '%20');
  if (query === '') return request.path;
  return `${request.path}${request.path.includes('?') ? '&' : '?'}${query}`;
}

/** The project flag of a CLI command for `target`, if it has a project. */
export function projectFlag(target: Target): string[] {
  return target.project === undefined ? [] : [`--project=${target.project}`];
}

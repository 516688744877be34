import type { z } from 'zod';

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
 * What a call needs from the daemon: the REST form, and the CLI form where the CLI serves it
 * instead (the CLI transport prefers it when present; the REST transport uses it only for
 * remotes that REST cannot reach, such as simplestreams).
 */
export interface Request<T = unknown> {
  api?: ApiRequest<T> | undefined;
  cli?: CliRequest<T> | undefined;
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

import { z } from 'zod';
import { ParseError, ValidationError } from './errors.js';
import type { CallOptions } from './mutator.js';
import type { RunOptions, RunResult, Runner } from './runner.js';
import type { Scheduler } from './scheduler.js';
import { checkCallOptions, checkProject, checkRemote } from './validate.js';

/** Client-wide defaults that every call starts from. */
export interface Defaults {
  remote: string;
  project?: string | undefined;
  timeout?: number | undefined;
}

/** A call's options once defaults are applied and checked. */
export interface Resolved {
  remote: string;
  project?: string | undefined;
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** HTTP methods that `lxc query` accepts. */
export type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** Options of {@link Context.query}. */
export interface QueryCall {
  method?: Method | undefined;
  body?: unknown;
  wait?: boolean | undefined;
}

/** Encodes each segment and joins them into an API path: `apiPath('1.0', 'images', name)`. */
export function apiPath(...segments: string[]): string {
  return '/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

/** Adds `?project=` to a path when a project is set and the path has none. */
export function withProject(path: string, project: string | undefined): string {
  if (project === undefined || /[?&]project=/.test(path)) return path;
  return `${path}${path.includes('?') ? '&' : '?'}project=${encodeURIComponent(project)}`;
}

/** Builds the argv of `lxc query` (pure). */
export function queryArgs(remote: string, path: string, call: QueryCall = {}): string[] {
  const args = ['query'];
  if (call.method && call.method !== 'GET') args.push(`--request=${call.method}`);
  if (call.wait) args.push('--wait');
  if (call.body !== undefined) args.push(`--data=${JSON.stringify(call.body)}`);
  args.push(`${remote}:${path}`);
  return args;
}

/** Parses JSON output against a schema; a mismatch is a {@link ParseError} that keeps the text. */
export function parseOutput<S extends z.ZodType>(
  schema: S,
  raw: string,
  remote?: string,
): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (error) {
    throw new ParseError(`output is not JSON: ${(error as Error).message}`, raw, {
      remote,
      cause: error,
    });
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new ParseError(
      `output does not match the schema: ${z.prettifyError(result.error)}`,
      raw,
      {
        remote,
        cause: result.error,
      },
    );
  }
  return result.data;
}

/** What every API class shares: the runner, the scheduler and the client's defaults. */
export class Context {
  constructor(
    private readonly runner: Runner,
    private readonly scheduler: Scheduler,
    readonly defaults: Defaults,
  ) {}

  /** Applies the defaults to a call's remote and options, and checks them. */
  resolve(remote: string | undefined, options: CallOptions | undefined): Resolved {
    const opts = options ?? {};
    if (typeof opts !== 'object') throw new ValidationError('options', 'must be an object');
    checkCallOptions(opts);
    const project = opts.project ?? this.defaults.project;
    return {
      remote: checkRemote(remote === undefined || remote === '' ? this.defaults.remote : remote),
      project: project === undefined ? undefined : checkProject(project),
      timeout: opts.timeout ?? this.defaults.timeout,
      signal: opts.signal,
    };
  }

  /** Runs the client with `args` once a concurrency slot is free. */
  run(
    args: readonly string[],
    call: Resolved,
    extra: Omit<RunOptions, 'timeout' | 'signal' | 'remote'> = {},
  ): Promise<RunResult> {
    return this.scheduler.run(() =>
      this.runner(args, {
        ...extra,
        timeout: call.timeout,
        signal: call.signal,
        remote: call.remote,
      }),
    );
  }

  /** Runs `lxc query` on an API path (project added) and parses the JSON with `schema`. */
  async query<S extends z.ZodType>(
    call: Resolved,
    path: string,
    schema: S,
    q: QueryCall = {},
  ): Promise<z.output<S>> {
    const { stdout } = await this.run(
      queryArgs(call.remote, withProject(path, call.project), q),
      call,
    );
    return parseOutput(schema, stdout.trim() === '' ? 'null' : stdout, call.remote);
  }

  /** Runs a command with `--project` added when a project is set. */
  runWithProject(
    args: readonly string[],
    call: Resolved,
    extra?: Omit<RunOptions, 'timeout' | 'signal' | 'remote'>,
  ): Promise<RunResult> {
    const withFlag = call.project === undefined ? args : [...args, `--project=${call.project}`];
    return this.run(withFlag, call, extra);
  }
}

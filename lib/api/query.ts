import { z } from 'zod';
import type { Call } from '../call/call.js';
import type { CallOptions, Core, Mutator } from '../call/core.js';
import { ValidationError } from '../errors.js';
import type { Method } from '../requests/request.js';
import { toJson, shown } from '../validate.js';

/** Options of {@link Query}. */
export interface QueryOptions extends CallOptions {
  /** HTTP method, `GET` by default. */
  method?: Method | undefined;
  /** A JSON body. */
  body?: unknown;
  /** Wait for a background operation to finish and resolve to it (`lxc query --wait`). */
  wait?: boolean | undefined;
}

/**
 * Sends any REST request and resolves to the parsed JSON of its `metadata` (as `lxc query`
 * prints it). `project` becomes `?project=` in the path.
 * @example lxc.query('local', '/1.0').then(server => server.api_version)
 */
export type Query = <R = unknown>(
  remote: string | undefined,
  path: string,
  options?: QueryOptions | Mutator<unknown, R>,
  mutator?: Mutator<unknown, R>,
) => Promise<NoInfer<R>>;

const METHODS = new Set(['GET', 'PUT', 'POST', 'PATCH', 'DELETE']);

// Checks a query and sends it as it is.
function send(call: Call, path: unknown, options: QueryOptions): Promise<unknown> {
  if (typeof path !== 'string' || !path.startsWith('/') || /[\s\u0000-\u001f\u007f]/.test(path)) {
    throw new ValidationError('path', `must be an API path starting with "/": ${shown(path)}`);
  }
  const method = options.method ?? 'GET';
  if (!METHODS.has(method))
    throw new ValidationError('method', `unsupported method ${shown(method)}`);
  if (options.body !== undefined) toJson(options.body);
  return call.send({
    api: { method, path, body: options.body, wait: options.wait, schema: z.unknown() },
  });
}

/** Makes the `client.query` function. */
export function createQuery(core: Core): Query {
  return (remote, path, options, mutator) =>
    core.call(remote, options, mutator, (c, o) => send(c, path, o));
}

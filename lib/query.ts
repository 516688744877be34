import { z } from 'zod';
import type { Context, Method } from './context.js';
import { ValidationError } from './errors.js';
import { finish, splitTail, type CallOptions, type Mutator } from './mutator.js';

/** Options of {@link Query}. */
export interface QueryOptions extends CallOptions {
  /** HTTP method, `GET` by default. */
  method?: Method;
  /** A JSON body. */
  body?: unknown;
  /** Wait for a background operation to finish (`lxc query --wait`). */
  wait?: boolean;
}

/**
 * Sends any REST request through `lxc query` and resolves to the parsed JSON.
 * `project` becomes `?project=` in the path.
 * @example lxc.query('local', '/1.0').then(server => server.api_version)
 */
export type Query = <R = unknown>(
  remote: string | undefined,
  path: string,
  options?: QueryOptions | Mutator<unknown, R>,
  mutator?: Mutator<unknown, R>,
) => Promise<R>;

const METHODS = new Set(['GET', 'PUT', 'POST', 'PATCH', 'DELETE']);

/** Makes the `client.query` function. */
export function createQuery(ctx: Context): Query {
  return async (remote, path, options, mutator) => {
    const [opts, mut] = splitTail(options, mutator);
    const call = ctx.resolve(remote, opts);
    if (typeof path !== 'string' || !path.startsWith('/') || /[\s\u0000-\u001f]/.test(path)) {
      throw new ValidationError(
        'path',
        `must be an API path starting with "/": ${JSON.stringify(path)}`,
      );
    }
    const method = opts?.method ?? 'GET';
    if (!METHODS.has(method))
      throw new ValidationError('method', `unsupported method ${JSON.stringify(method)}`);
    const result = await ctx.query(call, path, z.unknown(), {
      method,
      body: opts?.body,
      wait: opts?.wait,
    });
    return finish(result, mut);
  };
}

import type { CallOptions, Core, Tail } from '../call/core.js';
import { sendQuery, type QueryFlags } from '../flows/query.js';

/** Options of {@link Query}. */
export interface QueryOptions extends CallOptions, QueryFlags {}

/**
 * Sends any REST request and resolves to the parsed JSON of its `metadata` (as `lxc query`
 * prints it). `project` becomes `?project=` in the path.
 * @example lxc.query('local', '/1.0').then(server => server.api_version)
 */
export type Query = <R = unknown>(
  remote: string | undefined,
  path: string,
  ...tail: Tail<QueryOptions, unknown, R>
) => Promise<NoInfer<R>>;

/** Makes the `client.query` function. */
export function createQuery(core: Core): Query {
  return (remote, path, ...tail) => core.call(remote, tail, (c, o) => sendQuery(c, path, o));
}

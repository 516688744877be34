import type { CallOptions, Core, Tail } from '../call/core.js';
import type { Remote } from '../wire/schemas.js';

/** Options of `remotes.list`: the common ones, without `project`. */
export type RemoteListOptions = Omit<CallOptions, 'project'>;

/** Configured remotes: `client.remotes`. */
export interface Remotes {
  /**
   * Lists the client's remotes (`remote list --format json`), read afresh. The one client-wide
   * call: it takes no remote.
   * @example lxc.remotes.list().then(remotes => remotes.map(r => r.name))
   */
  list<R = Remote[]>(...tail: Tail<RemoteListOptions, Remote[], R>): Promise<NoInfer<R>>;
}

/** Makes `client.remotes`. */
export function createRemotes(core: Core): Remotes {
  return {
    list: (...tail) => core.call(undefined, tail, (c) => core.parts.remotes.list(c.signal)),
  };
}

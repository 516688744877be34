import type { CallOptions, Core, Mutator } from '../call/core.js';
import type { RemoteDirectory } from '../remotes/directory.js';
import type { Remote } from '../schemas.js';

/** Options of {@link Remotes.list}: the common ones, without `project`. */
export type RemoteListOptions = Omit<CallOptions, 'project'>;

/** Configured remotes: `client.remotes`. */
export class Remotes {
  /** @internal */
  constructor(
    private readonly core: Core,
    private readonly directory: RemoteDirectory,
  ) {}

  /**
   * Lists the client's remotes (`remote list --format json`), read afresh. The one client-wide
   * call: it takes no remote.
   * @example lxc.remotes.list().then(remotes => remotes.map(r => r.name))
   */
  list<R = Remote[]>(
    options?: RemoteListOptions | Mutator<Remote[], R>,
    mutator?: Mutator<Remote[], R>,
  ): Promise<NoInfer<R>> {
    return this.core.call(undefined, options, mutator, (c) => this.directory.list(c.signal));
  }
}

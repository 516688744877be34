import { RemoteError } from '../wire/errors.js';
import type { Remote } from '../wire/schemas.js';
import { isPublicRemote } from '../requests/server.js';

/**
 * The client's remotes, read once per client (`remote list --format=json`) and read again when
 * a name is not found. `local` is built into both clients and needs no listing.
 */
export class RemoteDirectory {
  private cache: Promise<Map<string, Remote>> | undefined;

  /**
   * @param load lists the remotes (one `remote list` process).
   * @param localProtocol `lxd` or `incus`: the protocol of the built-in `local` remote.
   */
  constructor(
    private readonly load: (signal: AbortSignal) => Promise<Remote[]>,
    private readonly localProtocol: string,
  ) {}

  /** Lists the remotes afresh and keeps the answer. */
  async list(signal: AbortSignal): Promise<Remote[]> {
    const listed = this.load(signal);
    const map = listed.then((remotes) => new Map(remotes.map((r) => [r.name, r])));
    map.catch(() => undefined);
    this.cache = map;
    try {
      return await listed;
    } catch (error) {
      if (this.cache === map) this.cache = undefined;
      throw error;
    }
  }

  /** Finds a remote by name, listing again once when it is not known (`local` is built in). */
  async get(name: string, signal: AbortSignal): Promise<Remote> {
    if (name === 'local') {
      return { name, url: 'unix://', protocol: this.localProtocol, public: false, static: true };
    }
    const cached = this.cache ? await this.cache.catch(() => undefined) : undefined;
    const found = cached?.get(name) ?? (await this.list(signal)).find((r) => r.name === name);
    if (!found) throw new RemoteError(`The remote "${name}" doesn't exist`, { remote: name });
    return found;
  }

  /** True when the remote is served only by the CLI's image commands (simplestreams, public). */
  async isPublic(name: string, signal: AbortSignal): Promise<boolean> {
    return isPublicRemote(await this.get(name, signal));
  }
}

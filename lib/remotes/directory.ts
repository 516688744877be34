import { z } from 'zod';
import { RemoteError } from '../errors.js';
import { parseJson } from '../parse.js';
import { RemoteSchema, type Remote } from '../schemas.js';

// `lxc remote list --format json` prints a map of name to Go-cased fields.
const RemoteMapSchema = z.record(
  z.string(),
  z.looseObject({
    Addr: z.string(),
    Protocol: z.string().default(''),
    Public: z.boolean().default(false),
    AuthType: z.string().optional(),
    Project: z.string().optional(),
    Static: z.boolean().optional(),
    Global: z.boolean().optional(),
  }),
);

/** The argv that lists the client's remotes. */
export const REMOTE_LIST_ARGS = ['remote', 'list', '--format=json'] as const;

/** Parses `remote list --format=json` into {@link Remote}s (`local` has protocol `lxd` or `incus`). */
export function parseRemoteList(stdout: string, localProtocol: string): Remote[] {
  const map = parseJson(RemoteMapSchema, stdout);
  return Object.entries(map).map(([name, r]) =>
    RemoteSchema.parse({
      name,
      url: r.Addr,
      protocol: r.Protocol || localProtocol,
      public: r.Public,
      auth_type: r.AuthType,
      project: r.Project,
      static: r.Static,
      global: r.Global,
    }),
  );
}

/** True when `lxc query` cannot reach the remote: simplestreams, or a public image server. */
export function isPublicRemote(remote: Remote): boolean {
  return remote.public || remote.protocol === 'simplestreams';
}

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

import { Agent } from 'node:https';
import { machine } from 'node:os';
import { createSecureContext } from 'node:tls';
import { RemoteError } from '../../wire/errors.js';
import type { Image, ImageAlias, Remote } from '../../wire/schemas.js';
import type { Flavor } from './arch.js';
import { applyFilters } from '../../requests/list-filter.js';
import type { Catalog } from './catalog.js';
import { proxied } from './proxy.js';
import { toAlias, toImage } from './shape.js';
import { Tree } from './tree.js';
import { systemRoots } from './trust.js';

/** Options of a {@link SimplestreamsReader}. */
export interface SimplestreamsReaderOptions {
  /** Whose conversions to follow: `lxd` (LXD 5.0's `lxc`) or `incus` (Incus 6.0's `incus`). */
  flavor: Flavor;
  /**
   * The client's environment, as the `lxc`/`incus` it stands for would see it: `SSL_CERT_FILE`,
   * `SSL_CERT_DIR` and the proxy variables are read from here (once), not from `process.env`.
   */
  env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds a tree is used without asking the server again (default 5000). */
  freshMs?: number | undefined;
  /** The host's architecture as `uname -m` prints it (default `os.machine()`). */
  machine?: string | undefined;
}

/**
 * Reads simplestreams remotes (`images:` and any other) in the client, without a process: the
 * remote's `streams/v1/index.json` and products files over keep-alive HTTPS, trusting what
 * `lxc` trusts, cached per remote URL and revalidated with the server's ETag or Last-Modified
 * once `freshMs` has passed. Every answer is the one the CLI transport gives for the same tree.
 *
 * @example
 * const reader = new SimplestreamsReader({ flavor: 'lxd', env: { ...process.env, ...opts.env } });
 * const images = await reader.images(remote, signal);
 */
export class SimplestreamsReader {
  private agent: Promise<Agent> | undefined;
  private readonly trees = new Map<string, Tree>();
  // each catalog's images as `Image`s, converted once (a catalog is rebuilt when its tree changes)
  private readonly converted = new WeakMap<Catalog, Image[]>();
  private readonly freshMs: number;
  private readonly machine: string;

  constructor(private readonly options: SimplestreamsReaderOptions) {
    this.freshMs = options.freshMs ?? 5000;
    this.machine = options.machine ?? machine();
  }

  /**
   * True when this reader can serve `remote`: a simplestreams remote on an `https://` URL that
   * no proxy of the client's environment applies to (the CLI must serve the others).
   */
  serves(remote: Remote): boolean {
    if (remote.protocol !== 'simplestreams') return false;
    const url = URL.canParse(remote.url) ? new URL(remote.url) : undefined;
    return url?.protocol === 'https:' && !proxied(url, this.options.env);
  }

  /**
   * `lxc image list <remote>: <filters> --format=json`, as {@link Image}s in the same order (the
   * filters in `lxc image list` syntax).
   */
  async images(
    remote: Remote,
    signal: AbortSignal,
    filters: readonly string[] = [],
  ): Promise<Image[]> {
    const catalog = await this.catalog(remote, signal);
    let all = this.converted.get(catalog);
    if (!all) {
      all = catalog.images.map((image) => toImage(image, this.options.flavor));
      this.converted.set(catalog, all);
    }
    // the caller's own copies: the converted images stay as they are for the next read
    return applyFilters(all, filters).map((image) => structuredClone(image));
  }

  /** `lxc image alias list <remote>: --format=json`, in the same order. */
  async aliases(remote: Remote, signal: AbortSignal): Promise<ImageAlias[]> {
    return (await this.catalog(remote, signal)).aliasList().map(toAlias);
  }

  /** Closes the kept-alive connections (they do not hold the process open meanwhile). */
  close(): void {
    void this.agent?.then((agent) => {
      agent.destroy();
    });
    this.agent = undefined;
  }

  // The remote's catalog, from its tree (one per URL).
  private async catalog(remote: Remote, signal: AbortSignal): Promise<Catalog> {
    if (!this.serves(remote)) {
      throw new RemoteError(
        `the remote "${remote.name}" is not an HTTPS simplestreams remote this reader can serve`,
        {
          remote: remote.name,
        },
      );
    }
    const url = remote.url.replace(/\/$/, '');
    let tree = this.trees.get(url);
    if (!tree) {
      const { flavor } = this.options;
      tree = new Tree(new URL(url), { flavor, machine: this.machine, url, freshMs: this.freshMs });
      this.trees.set(url, tree);
    }
    return tree.get({ agent: await this.httpsAgent(), remote: remote.name }, signal);
  }

  // One keep-alive agent per reader, trusting the client's CAs (read once).
  private httpsAgent(): Promise<Agent> {
    this.agent ??= systemRoots(this.options.env).then(
      (ca) => new Agent({ keepAlive: true, secureContext: createSecureContext({ ca }) }),
    );
    return this.agent;
  }
}

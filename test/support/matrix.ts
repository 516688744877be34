import { createClient, type Client, type ClientOptions } from '../../lib/index.js';
import type { Sandbox, SandboxBinary } from '../../lib/testing/index.js';
import { BINARIES, getSandbox, tagOf, TRANSPORTS } from './env.js';

/** What a spec declared with {@link eachDaemon} runs against (filled in before its tests). */
export interface Daemon {
  /** `lxc` (LXD) or `incus`. */
  binary: SandboxBinary;
  /** `cli` or `rest`. */
  transport: 'cli' | 'rest';
  /** `<binary>-<transport>`: makes names (aliases, projects) unique to this run of a spec. */
  tag: string;
  /** The shared `main` sandbox of this daemon. */
  sandbox: Sandbox;
  /** A client of this transport for the main sandbox. */
  client: Client;
  /** A client of this transport for another sandbox, or with other options. */
  clientFor(sandbox: Sandbox, options?: ClientOptions): Client;
  /** A shared sandbox of this daemon under another key (e.g. `peer`). */
  sandboxFor(key: string): Promise<Sandbox>;
}

/**
 * Declares that a spec runs against each daemon (LXD and Incus) on each transport:
 * `describe('<title> against <binary> over <transport>')` with a {@link Daemon} whose
 * `sandbox` and `client` are ready in the spec's own `before` hooks.
 */
export function eachDaemon(title: string, body: (daemon: Daemon) => void): void {
  for (const binary of BINARIES) {
    for (const transport of TRANSPORTS) {
      describe(`${title} against ${binary} over ${transport}`, function () {
        const clientFor = (sandbox: Sandbox, options: ClientOptions = {}): Client =>
          createClient({ binary, env: sandbox.env, transport, ...options });
        const daemon = {
          binary,
          transport,
          tag: tagOf(binary, transport),
          clientFor,
          sandboxFor: (key: string) => getSandbox(binary, key),
        } as Daemon;
        before(async function () {
          daemon.sandbox = await getSandbox(binary);
          daemon.client = clientFor(daemon.sandbox);
        });
        body(daemon);
      });
    }
  }
}

import { createImages, type Images } from './api/images.js';
import { createOperations, type Operations } from './api/operations.js';
import { createQuery, type Query } from './api/query.js';
import { createRemotes, type Remotes } from './api/remotes.js';
import { Core } from './call/core.js';
import { KeyedLocks } from './call/locks.js';
import { clientSeam } from './call/policies.js';
import { RemoteDirectory } from './call/remotes.js';
import { Scheduler } from './call/scheduler.js';
import { remoteListCommand } from './requests/server.js';
import { normalizeOptions, type ClientOptions } from './options.js';
import { CliTransport } from './transport/cli/cli-transport.js';
import { createExecaRunner } from './transport/cli/runner.js';
import { RestTransport } from './transport/rest/rest-transport.js';
import { SimplestreamsReader } from './transport/simplestreams/reader.js';
import { UntrustedReader, withSecretReads } from './transport/rest/untrusted.js';
import { withProbes } from './transport/probe.js';
import type { Transport } from './transport/transport.js';

/** A client for one `lxc` or `incus` binary (and its daemons). */
export interface Client {
  /** The binary this client runs. */
  readonly binary: string;
  /** `cli` or `rest`. */
  readonly transport: 'cli' | 'rest';
  /** Images and `images.aliases`. */
  readonly images: Images;
  /** Background operations. */
  readonly operations: Operations;
  /** Configured remotes. */
  readonly remotes: Remotes;
  /** Any REST path, parsed JSON out. */
  readonly query: Query;
}

/**
 * Makes a client: its transport, wrapped once in the seam's policies (write locks and guarded
 * writes, the concurrency limit, request lifetimes).
 * @throws {@link ValidationError} for bad options.
 * @example const incus = createClient({ binary: 'incus', project: 'web' });
 */
export function createClient(options: ClientOptions = {}): Client {
  const opts = normalizeOptions(options);
  const runner = opts.runner ?? createExecaRunner({ binary: opts.binary, env: opts.env });
  const scheduler = new Scheduler(opts.concurrency);
  const localProtocol = opts.flavor === 'incus' ? 'incus' : 'lxd';
  const cli = new CliTransport(runner);
  let transport: Transport = typeof opts.transport === 'object' ? opts.transport : cli;
  const listRemotes = { cli: remoteListCommand(localProtocol) };
  const remotes = new RemoteDirectory(
    async (signal) =>
      (await scheduler.run(() => transport.send({ remote: 'local' }, listRemotes, signal), signal))
        .data,
    localProtocol,
  );
  const env = { ...process.env, ...opts.env };
  if (opts.transport === 'rest') {
    const streams = new SimplestreamsReader({ flavor: localProtocol, env });
    transport = new RestTransport({
      cli,
      remotes,
      flavor: localProtocol,
      env,
      failover: opts.failover,
      streams,
    });
  }
  // an image URL is probed from this process (an injected transport answers probes itself)
  if (typeof opts.transport !== 'object') transport = withProbes(transport, env);
  const untrusted = new UntrustedReader({ flavor: localProtocol, env, remotes });
  const withSecrets = withSecretReads(transport, untrusted);
  const locks = new KeyedLocks();
  const send = clientSeam(withSecrets.send.bind(withSecrets), { scheduler, locks });
  const core = new Core({
    send,
    transport: transport.name,
    remotes,
    servers: new Map(),
    locks,
    defaults: { remote: opts.defaultRemote, project: opts.project, timeout: opts.timeout },
  });
  return {
    binary: opts.binary,
    transport: transport.name,
    images: createImages(core),
    operations: createOperations(core),
    remotes: createRemotes(core),
    query: createQuery(core),
  };
}

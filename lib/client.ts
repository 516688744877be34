import { Images } from './api/images.js';
import { Operations } from './api/operations.js';
import { createQuery, type Query } from './api/query.js';
import { Remotes } from './api/remotes.js';
import { Core } from './call/core.js';
import { KeyedLocks } from './call/locks.js';
import { Scheduler } from './call/scheduler.js';
import { normalizeOptions, type ClientOptions } from './options.js';
import { RemoteDirectory } from './remotes/directory.js';
import { InfoBatcher } from './requests/batch.js';
import { CliTransport } from './transport/cli/cli-transport.js';
import { createExecaRunner } from './transport/cli/runner.js';
import { RestTransport } from './transport/rest/rest-transport.js';
import { UntrustedReader } from './transport/rest/untrusted.js';
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
 * Makes a client.
 * @throws {@link ValidationError} for bad options.
 * @example const incus = createClient({ binary: 'incus', project: 'web' });
 */
export function createClient(options: ClientOptions = {}): Client {
  const opts = normalizeOptions(options);
  const runner = opts.runner ?? createExecaRunner({ binary: opts.binary, env: opts.env });
  const scheduler = new Scheduler(opts.concurrency);
  const localProtocol = opts.flavor === 'incus' ? 'incus' : 'lxd';
  const cli = new CliTransport(runner, localProtocol);
  let transport: Transport = typeof opts.transport === 'object' ? opts.transport : cli;
  const remotes = new RemoteDirectory(
    (signal) => scheduler.run(() => transport.listRemotes(signal), signal),
    localProtocol,
  );
  const env = { ...process.env, ...opts.env };
  if (opts.transport === 'rest') {
    transport = new RestTransport({
      cli,
      remotes,
      flavor: localProtocol,
      env,
      failover: opts.failover,
    });
  }
  const core = new Core({
    transport,
    remotes,
    scheduler,
    locks: new KeyedLocks(),
    servers: new Map(),
    defaults: { remote: opts.defaultRemote, project: opts.project, timeout: opts.timeout },
  });
  return {
    binary: opts.binary,
    transport: transport.name,
    images: new Images(core, new InfoBatcher(), new UntrustedReader(localProtocol, env)),
    operations: new Operations(core),
    remotes: new Remotes(core, remotes),
    query: createQuery(core),
  };
}

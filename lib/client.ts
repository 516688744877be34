import { basename } from 'node:path';
import { Context } from './context.js';
import { ValidationError } from './errors.js';
import { Images } from './images/index.js';
import { Operations } from './operations.js';
import { createQuery, type Query } from './query.js';
import { Remotes } from './remotes.js';
import { createExecaRunner, type Runner } from './runner.js';
import { Scheduler } from './scheduler.js';
import { checkProject, checkRemote } from './validate.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** `lxc` (default), `incus`, or a path to either. */
  binary?: string;
  /** The client configuration directory: sets `LXD_CONF` (lxc) or `INCUS_CONF` (incus). */
  configDir?: string;
  /** Extra environment for the spawned client. */
  env?: Record<string, string>;
  /** The remote used when a call passes `undefined` or `''` (default `local`). */
  defaultRemote?: string;
  /** The project of every call that names none. */
  project?: string;
  /** Milliseconds before a spawned command is killed; none by default. */
  timeout?: number;
  /** Most client processes at once (default 8). */
  concurrency?: number;
  /** Replaces the process runner (tests inject a stub here). */
  runner?: Runner;
}

/** A client for one `lxc` or `incus` binary. */
export interface Client {
  /** The binary this client runs. */
  readonly binary: string;
  /** Images and `images.aliases`. */
  readonly images: Images;
  /** Background operations. */
  readonly operations: Operations;
  /** Configured remotes. */
  readonly remotes: Remotes;
  /** Any REST path through `lxc query`. */
  readonly query: Query;
}

// Checks client options and applies the defaults, all in one place.
function normalize(
  options: ClientOptions,
): Required<Pick<ClientOptions, 'binary' | 'defaultRemote' | 'concurrency'>> & ClientOptions {
  const binary = options.binary ?? 'lxc';
  if (typeof binary !== 'string' || binary === '' || binary.startsWith('-')) {
    throw new ValidationError('binary', `not a binary: ${JSON.stringify(binary)}`);
  }
  const concurrency = options.concurrency ?? 8;
  if (!(concurrency >= 1)) throw new ValidationError('concurrency', 'must be at least 1');
  if (options.timeout !== undefined && !(options.timeout > 0))
    throw new ValidationError('timeout', 'must be positive');
  if (options.project !== undefined) checkProject(options.project);
  return {
    ...options,
    binary,
    concurrency,
    defaultRemote: checkRemote(options.defaultRemote ?? 'local', 'defaultRemote'),
  };
}

/**
 * Makes a client.
 * @throws {@link ValidationError} for bad options.
 * @example const incus = createClient({ binary: 'incus', project: 'web' });
 */
export function createClient(options: ClientOptions = {}): Client {
  const opts = normalize(options);
  const env = { ...opts.env };
  if (opts.configDir !== undefined) {
    env[basename(opts.binary).includes('incus') ? 'INCUS_CONF' : 'LXD_CONF'] = opts.configDir;
  }
  const runner = opts.runner ?? createExecaRunner({ binary: opts.binary, env });
  const ctx = new Context(runner, new Scheduler(opts.concurrency), {
    remote: opts.defaultRemote,
    project: opts.project,
    timeout: opts.timeout,
  });
  return {
    binary: opts.binary,
    images: new Images(ctx),
    operations: new Operations(ctx),
    remotes: new Remotes(ctx),
    query: createQuery(ctx),
  };
}

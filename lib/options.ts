import { basename } from 'node:path';
import { ValidationError } from './wire/errors.js';
import type { Runner } from './transport/cli/runner.js';
import type { Transport } from './transport/transport.js';
import { checkBoolean, checkProject, checkRemote, checkTimeout, shown } from './wire/validate.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** `lxc` (default), `incus`, or a path to either. */
  binary?: string;
  /** The client configuration directory: sets `LXD_CONF` (lxc) or `INCUS_CONF` (incus). */
  configDir?: string;
  /** Extra environment for the spawned client (and the REST transport's socket lookup). */
  env?: Record<string, string>;
  /** The remote used when a call passes `undefined` or `''` (default `local`). */
  defaultRemote?: string;
  /** The project of every call that names none. */
  project?: string;
  /** Milliseconds each call may take, from the moment it is made; none by default. */
  timeout?: number;
  /** Most client processes (or REST requests) at once (default 8). */
  concurrency?: number;
  /**
   * `cli` (default): spawn `lxc`/`incus` for every request. `rest`: talk to the daemon
   * directly (its unix socket, or HTTPS with the client's certificate and the pinned server
   * certificate), with remotes resolved from the same client config; simplestreams remotes
   * stay on the CLI. A {@link Transport} object replaces both (tests inject a fake here).
   */
  transport?: 'cli' | 'rest' | Transport;
  /**
   * On the REST transport, retry a request that is safe to repeat (a read, or a write guarded by
   * its ETag) through another cluster member when a cluster remote's own address does not
   * answer (default `true`).
   */
  failover?: boolean;
  /** Replaces the process runner (tests inject a stub here). */
  runner?: Runner;
}

/** Client options with every default applied. */
export interface NormalizedOptions {
  binary: string;
  /** `incus` when the binary is Incus's client, else `lxc`. */
  flavor: 'lxc' | 'incus';
  env: Record<string, string>;
  defaultRemote: string;
  project: string | undefined;
  timeout: number | undefined;
  concurrency: number;
  transport: 'cli' | 'rest' | Transport;
  failover: boolean;
  runner: Runner | undefined;
}

/** Checks client options and applies the defaults, all in one place. */
export function normalizeOptions(options: ClientOptions): NormalizedOptions {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null)
    throw new ValidationError('options', 'must be an object');
  const binary = options.binary ?? 'lxc';
  if (
    typeof binary !== 'string' ||
    binary === '' ||
    binary.startsWith('-') ||
    binary.includes('\0')
  )
    throw new ValidationError('binary', `not a binary: ${shown(binary)}`);
  const concurrency = options.concurrency ?? 8;
  if (typeof concurrency !== 'number' || !(concurrency >= 1))
    throw new ValidationError('concurrency', 'must be a number of at least 1');
  const transport = options.transport ?? 'cli';
  const kind: unknown = transport;
  if (kind !== 'cli' && kind !== 'rest' && (typeof kind !== 'object' || kind === null))
    throw new ValidationError('transport', 'must be "cli", "rest" or a Transport');
  const flavor = basename(binary).includes('incus') ? 'incus' : 'lxc';
  const env: Record<string, string> = { ...options.env };
  for (const [key, value] of Object.entries(env)) {
    if (
      typeof value !== 'string' ||
      value.includes('\0') ||
      key.includes('=') ||
      key.includes('\0')
    )
      throw new ValidationError('env', `bad variable ${shown(key)}`);
  }
  if (options.configDir !== undefined) {
    if (typeof options.configDir !== 'string' || options.configDir.includes('\0'))
      throw new ValidationError('configDir', 'must be a path');
    env[flavor === 'incus' ? 'INCUS_CONF' : 'LXD_CONF'] = options.configDir;
  }
  return {
    binary,
    flavor,
    env,
    defaultRemote: checkRemote(options.defaultRemote ?? 'local', 'defaultRemote'),
    project: options.project === undefined ? undefined : checkProject(options.project),
    timeout: checkTimeout(options.timeout),
    concurrency,
    transport,
    failover: checkBoolean(options.failover, 'failover') ?? true,
    runner: options.runner,
  };
}

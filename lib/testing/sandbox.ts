import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '../client.js';
import { BinaryNotFoundError, LxcError } from '../wire/errors.js';
import { createExecaRunner, type Runner } from '../transport/cli/runner.js';
import { startDaemon, type DaemonProcess } from './daemon.js';
import { prepareInstances, stopAllInstances } from './sandbox-instances.js';

/** Which daemon a sandbox runs. */
export type SandboxBinary = 'lxc' | 'incus';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** `lxc` (an `lxd` daemon, the default) or `incus` (an `incusd` daemon). */
  binary?: SandboxBinary;
  /** Also listen on `127.0.0.1` (a free port) so that other sandboxes can add this one as a remote. */
  listen?: boolean;
  /** Extra environment for the daemon and the client (e.g. `SSL_CERT_FILE`). */
  env?: Record<string, string>;
  /** Milliseconds to wait for the daemon to be ready (default 60000). */
  readyTimeout?: number;
  /**
   * Set up a `dir` storage pool and a root disk in the default profile, so that the sandbox can
   * hold instances (default `true`).
   */
  instances?: boolean;
}

/** A private, throwaway daemon with its own client. */
export interface Sandbox {
  /** A client for this daemon (its `local` remote). */
  client: Client;
  /** `lxc` or `incus`. */
  binary: SandboxBinary;
  /** The temporary directory that holds the daemon's state and the client's config. */
  dir: string;
  /** The environment the client runs with (`LXD_DIR`, `LXD_CONF`... and the extra `env`). */
  env: Record<string, string>;
  /** `https://127.0.0.1:PORT` when started with `listen`. */
  address?: string;
  /** Runs the client binary with this sandbox's environment (argv array, no shell). */
  run: Runner;
  /** Makes `other` a trusted remote of this sandbox's client under `name` (`other` must listen). */
  addRemote(name: string, other: Sandbox): Promise<void>;
  /** Kills the daemon at once (SIGKILL), as a crash would; `stop()` still cleans up. */
  kill(): Promise<void>;
  /**
   * Starts the daemon again on the same state (stopping it first if it still runs), as after a
   * crash and a reboot, and waits until it is ready.
   */
  restart(): Promise<void>;
  /** Stops the daemon and removes the directory: no process, no mount left. */
  stop(): Promise<void>;
}

/** How each kind of sandbox daemon is started, awaited and configured (shared with the cluster helper). */
export const DAEMONS = {
  lxc: {
    daemon: 'lxd',
    waitready: ['lxd', ['waitready']],
    dirVar: 'LXD_DIR',
    confVar: 'LXD_CONF',
    pkg: 'lxd lxd-client',
  },
  incus: {
    daemon: '/usr/libexec/incus/incusd',
    waitready: ['incus', ['admin', 'waitready']],
    dirVar: 'INCUS_DIR',
    confVar: 'INCUS_CONF',
    pkg: 'incus-base incus-client (bookworm-backports)',
  },
} as const;

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Mount points under `dir` (a stopped daemon leaves `shmounts`, `devlxd`…), deepest last. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((point) => point.startsWith(dir));
}

/** Lazily unmounts every mount point under `dir`, deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  for (const point of (await mountsUnder(dir)).reverse()) {
    await createExecaRunner({ binary: 'umount', env: {} })(['-l', point]).catch(() => undefined);
  }
}

/**
 * Starts a private `lxd` or `incusd` in a temporary directory, with its own client config,
 * and waits until it is ready. Needs root. Unless `instances: false`, it has a `dir` storage
 * pool and a root disk in its default profile, so that it can hold instances
 * (see `createInstance` in `lxc-images/testing`); `stop()` stops them first.
 * @throws `BinaryNotFoundError` when the daemon is not installed (the message names the package).
 * @example const sandbox = await startSandbox({ binary: 'incus' }); await sandbox.stop();
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const binary = options.binary ?? 'lxc';
  const spec = DAEMONS[binary];
  const onPath = (process.env.PATH ?? '').split(':').some((d) => existsSync(join(d, spec.daemon)));
  if (!existsSync(spec.daemon) && !onPath) {
    throw new BinaryNotFoundError(`${spec.daemon} is not installed: install ${spec.pkg}`);
  }
  const dir = await mkdtemp(join(tmpdir(), `lxc-images-${binary}-`));
  await chmod(dir, 0o711); // LXC must traverse it to start a container (mkdtemp makes it 0700)
  const env = {
    ...options.env,
    [spec.dirVar]: join(dir, 'daemon'),
    [spec.confVar]: join(dir, 'client'),
  };
  const start = (): DaemonProcess =>
    startDaemon(spec.daemon, ['--group', 'root'], env, join(dir, 'daemon.log'));
  let daemon = start();
  const run = createExecaRunner({ binary, env });
  const timeout = options.readyTimeout ?? 60000;
  const ready = async (): Promise<void> => {
    const [waitBin, waitArgs] = spec.waitready;
    await createExecaRunner({ binary: waitBin, env })(
      [...waitArgs, `--timeout=${Math.ceil(timeout / 1000)}`],
      { timeout: timeout + 5000 },
    );
  };
  const stop = async (): Promise<void> => {
    if (options.instances !== false) await stopAllInstances({ run });
    await daemon.stop();
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await ready();
    if (options.instances !== false) await prepareInstances({ run });
    let address: string | undefined;
    if (options.listen) {
      address = `https://127.0.0.1:${await freePort()}`;
      await run(['config', 'set', 'core.https_address', address.slice('https://'.length)]);
    }
    const sandbox: Sandbox = {
      client: createClient({ binary, env }),
      binary,
      dir,
      env,
      run,
      stop,
      kill: () => daemon.kill(),
      restart: async () => {
        await daemon.stop();
        await unmountUnder(dir); // what the old daemon mounted; the new one mounts it again
        daemon = start();
        await ready();
      },
      addRemote: (name, other) => addRemote(sandbox, name, other),
      ...(address === undefined ? {} : { address }),
    };
    return sandbox;
  } catch (error) {
    const log = await readFile(join(dir, 'daemon.log'), 'utf8').catch(() => '');
    await stop();
    if (error instanceof LxcError) {
      throw new LxcError(`${spec.daemon} did not start: ${error.message}\n${log.slice(-2000)}`, {
        cause: error,
      });
    }
    throw error;
  }
}

// Trusts `other` from `self`: LXD by trust password, Incus by a trust token.
async function addRemote(self: Sandbox, name: string, other: Sandbox): Promise<void> {
  if (other.address === undefined)
    throw new LxcError('the other sandbox must be started with { listen: true }');
  await trustRemote(self.run, name, { binary: other.binary, url: other.address, run: other.run });
}

/** A daemon that listens on the network, as {@link trustRemote} needs it. */
export interface TrustTarget {
  /** `lxc` (LXD) or `incus`. */
  binary: SandboxBinary;
  /** `https://HOST:PORT`. */
  url: string;
  /** Runs the client against the daemon itself (its unix socket), to hand out trust. */
  run: Runner;
}

/**
 * Adds `other` as the remote `name` of the client that `run` runs, trusted: LXD by a trust
 * password (`core.trust_password`), Incus by a trust token; the secrets are redacted from errors.
 */
export async function trustRemote(run: Runner, name: string, other: TrustTarget): Promise<void> {
  if (other.binary === 'incus') {
    const { stdout } = await other.run([
      'config',
      'trust',
      'add',
      `${name}-${Date.now()}`,
      '--quiet',
    ]);
    const token = stdout.trim();
    await run(['remote', 'add', name, other.url, `--token=${token}`, '--accept-certificate'], {
      secrets: [token],
    });
    return;
  }
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await other.run(['config', 'set', 'core.trust_password', password], { secrets: [password] });
  await run(['remote', 'add', name, other.url, '--accept-certificate', `--password=${password}`], {
    secrets: [password],
  });
}

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { createClient, type Client } from '../client.js';
import { BinaryNotFoundError, LxcError, ValidationError } from '../wire/errors.js';
import { createExecaRunner, type Runner } from '../transport/cli/runner.js';
import { startDaemon, type DaemonProcess } from './daemon.js';
import { makeImage } from './make-image.js';
import {
  DAEMONS,
  freePort,
  trustRemote,
  unmountUnder,
  type Sandbox,
  type SandboxBinary,
} from './sandbox.js';
import { shown } from '../wire/validate.js';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** `lxc` (`lxd` daemons) or `incus` (`incusd` daemons). */
  binary: SandboxBinary;
  /** How many members (default 3; at least 1). */
  members?: number;
  /** Extra environment for the daemons and the client (e.g. `SSL_CERT_FILE`). */
  env?: Record<string, string>;
  /** Milliseconds to wait for each member to be ready (default 60000). */
  readyTimeout?: number;
}

/** One member of a {@link Cluster}: a private daemon in its own directory. */
export interface ClusterMember {
  /** The member's name in the cluster: `n1`, `n2`… */
  name: string;
  /** The remote of the cluster's client that points at this member (same as `name`). */
  remote: string;
  /** `127.0.0.1:PORT`, its cluster and API address (as the daemon names it in its errors). */
  address: string;
  /** `https://127.0.0.1:PORT`. */
  url: string;
  /** This member's directory: its daemon state (`daemon/`), its own client config and its log. */
  dir: string;
  /** The member's own environment (`LXD_DIR`/`INCUS_DIR` of this member and the extra `env`). */
  env: Record<string, string>;
  /** Runs the client against this member's unix socket (argv array, no shell). */
  run: Runner;
  /** True while its daemon runs (between a start and a `kill()` or `stop()`). */
  readonly running: boolean;
  /** Stops the member cleanly (SIGTERM, then SIGKILL after 15 s); its state stays. */
  stop(): Promise<void>;
  /** Kills the member at once (SIGKILL), as a crash would; its state stays. */
  kill(): Promise<void>;
  /**
   * Starts the member again (stopping it first if it still runs) with the same directory, and
   * waits until it is ready and every running member sees it online in the cluster.
   */
  restart(): Promise<void>;
}

/** A throwaway cluster of private daemons on loopback, with one client remote per member. */
export interface Cluster {
  /** `lxc` or `incus`. */
  binary: SandboxBinary;
  /**
   * A CLI client whose private config has one trusted remote per member (`n1`, `n2`…);
   * its `local` is the first member's unix socket.
   */
  client: Client;
  /**
   * The client's environment (`LXD_CONF`/`INCUS_CONF` with the member remotes, and the extra
   * `env`): `createClient({ binary, env: cluster.env, transport: 'rest' })` makes another.
   */
  env: Record<string, string>;
  /** The temporary directory that holds every member's directory and the client config. */
  dir: string;
  /** The members, `n1` first (the one that founded the cluster). */
  members: ClusterMember[];
  /** Runs the client binary with the cluster client's environment (argv array, no shell). */
  run: Runner;
  /** Makes `other` a trusted remote `name` of the cluster's client (`other` must listen). */
  addRemote(name: string, other: Sandbox): Promise<void>;
  /**
   * Makes the cluster a trusted remote `name` of `sandbox`'s client, through `member`
   * (default the first).
   */
  addTo(sandbox: Sandbox, name: string, member?: ClusterMember): Promise<void>;
  /** Stops every member and removes the directory: no process, no mount, no directory left. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 15000;
const LAST_STOP_GRACE_MS = 1000;

// Polls `check` until it is true, or throws after `timeoutMs` with the last failure.
async function until(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new LxcError(`timed out after ${timeoutMs} ms waiting for ${what}${why}`, {
        cause: last,
      });
    }
    await sleep(250);
  }
}

// A member whose daemon can be started, stopped, killed and started again.
class Member implements ClusterMember {
  readonly remote: string;
  readonly url: string;
  readonly run: Runner;
  private daemon: DaemonProcess | undefined;
  /** The other members, for the "back in the cluster" check of `restart`. */
  peers: Member[] = [];

  constructor(
    readonly binary: SandboxBinary,
    readonly name: string,
    readonly address: string,
    readonly dir: string,
    readonly env: Record<string, string>,
    private readonly readyTimeout: number,
  ) {
    this.remote = name;
    this.url = `https://${address}`;
    this.run = createExecaRunner({ binary, env });
  }

  get running(): boolean {
    return this.daemon !== undefined;
  }

  // Starts the daemon and waits until it answers on its socket.
  async start(): Promise<void> {
    const spec = DAEMONS[this.binary];
    await mkdir(this.dir, { recursive: true });
    this.daemon = startDaemon(
      spec.daemon,
      ['--group', 'root'],
      this.env,
      join(this.dir, 'daemon.log'),
    );
    const [waitBin, waitArgs] = spec.waitready;
    const seconds = Math.ceil(this.readyTimeout / 1000);
    try {
      await createExecaRunner({ binary: waitBin, env: this.env })(
        [...waitArgs, `--timeout=${seconds}`],
        { timeout: this.readyTimeout + 5000 },
      );
    } catch (error) {
      const log = await readFile(join(this.dir, 'daemon.log'), 'utf8').catch(() => '');
      const message = error instanceof Error ? error.message : String(error);
      throw new LxcError(
        `${spec.daemon} (${this.name}) did not start: ${message}\n${log.slice(-2000)}`,
        { cause: error },
      );
    }
  }

  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const daemon = this.daemon;
    this.daemon = undefined;
    await daemon?.stop(graceMs);
    await unmountUnder(this.dir);
  }

  async kill(): Promise<void> {
    const daemon = this.daemon;
    this.daemon = undefined;
    await daemon?.kill();
  }

  async restart(): Promise<void> {
    if (this.running) await this.stop();
    // the killed daemon's mounts are still there; a new daemon mounts them again
    await unmountUnder(this.dir);
    await this.start();
    const viewers = [this, ...this.peers.filter((peer) => peer.running)];
    await until(`${this.name} to be back in the cluster`, this.readyTimeout, async () => {
      for (const viewer of viewers) {
        if ((await memberStatus(viewer, this.name)) !== 'Online') return false;
      }
      return true;
    });
    // Online is not enough: an image syncs between members only once each has its events
    // connection to the member again (Incus answers "Server isn't ready yet" until then).
    await until(`${this.name} to take part in image syncs`, this.readyTimeout, () =>
      syncsImages(viewers),
    );
  }
}

// True when an image imported through each member reaches the others (the image is then deleted).
async function syncsImages(members: readonly Member[]): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'lxc-images-sync-'));
  try {
    for (const member of members) {
      const image = await makeImage(dir, { seed: `sync-${member.name}-${Math.random()}` });
      const imported = await member.run(['image', 'import', image.path], { timeout: 30000 }).then(
        () => true,
        () => false,
      );
      await member
        .run(['image', 'delete', image.fingerprint], { timeout: 30000 })
        .catch(() => undefined);
      if (!imported) return false;
    }
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The status of member `name` as `viewer` sees it (`Online`, `Offline`…).
async function memberStatus(viewer: Member, name: string): Promise<string> {
  const { stdout } = await viewer.run(['query', `/1.0/cluster/members/${name}`], {
    timeout: 10000,
  });
  const member = JSON.parse(stdout) as { status?: unknown };
  return typeof member.status === 'string' ? member.status : '';
}

// Joins `member` to the cluster founded by `founder`, with a token and a preseed.
async function joinMember(founder: Member, member: Member, certificate: string): Promise<void> {
  const { stdout } = await founder.run(['cluster', 'add', member.name]);
  const token = stdout.trim().split('\n').at(-1)?.trim() ?? '';
  if (token === '') throw new LxcError(`no join token for ${member.name} in: ${stdout}`);
  // JSON is YAML: no indentation to get wrong
  const preseed = JSON.stringify({
    cluster: {
      enabled: true,
      server_name: member.name,
      server_address: member.address,
      cluster_address: founder.address,
      cluster_certificate: certificate,
      cluster_token: token,
      member_config: [],
    },
  });
  const [bin, args] =
    member.binary === 'incus'
      ? ['incus', ['admin', 'init', '--preseed']]
      : ['lxd', ['init', '--preseed']];
  // (the library's runner gives its children no stdin)
  const result = await execa(bin, args, {
    env: { ...member.env, LC_ALL: 'C' },
    input: preseed,
    reject: false,
    timeout: 120000,
  });
  if (result.failed) {
    const stderr = (typeof result.stderr === 'string' ? result.stderr : '')
      .split(token)
      .join('***');
    throw new LxcError(`${member.name} could not join the cluster: ${stderr.trim()}`, {
      command: [bin, ...args],
      exitCode: result.exitCode,
      stderr,
    });
  }
}

/**
 * Starts a throwaway cluster of private `lxd` or `incusd` daemons on loopback ports it picks
 * itself, each member in its own directory under one temporary directory, and resolves once
 * every member is online. Its client has one trusted remote per member (`n1`, `n2`…). Needs
 * root.
 * @throws `BinaryNotFoundError` when the daemon is not installed (the message names the package).
 * @example
 * ```ts
 * const cluster = await startCluster({ binary: 'lxc' });
 * await cluster.client.images.import('n1', 'image.tar.gz');
 * await cluster.client.images.list('n2');
 * await cluster.stop();
 * ```
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const binary = options.binary;
  const given: unknown = binary;
  if (given !== 'lxc' && given !== 'incus')
    throw new ValidationError('binary', `must be "lxc" or "incus", not ${shown(binary)}`);
  const spec = DAEMONS[binary];
  const count = options.members ?? 3;
  if (!Number.isInteger(count) || count < 1)
    throw new ValidationError('members', `must be a whole number of at least 1, not ${count}`);
  const onPath = (process.env.PATH ?? '').split(':').some((d) => existsSync(join(d, spec.daemon)));
  if (!existsSync(spec.daemon) && !onPath) {
    throw new BinaryNotFoundError(`${spec.daemon} is not installed: install ${spec.pkg}`);
  }
  const readyTimeout = options.readyTimeout ?? 60000;
  const dir = await mkdtemp(join(tmpdir(), `lxc-images-cluster-${binary}-`));
  const members: Member[] = [];
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  for (const [i, port] of [...ports].entries()) {
    const name = `n${i + 1}`;
    const memberDir = join(dir, name);
    const env = {
      ...options.env,
      [spec.dirVar]: join(memberDir, 'daemon'),
      [spec.confVar]: join(memberDir, 'client'),
    };
    members.push(new Member(binary, name, `127.0.0.1:${port}`, memberDir, env, readyTimeout));
  }
  for (const member of members) member.peers = members.filter((other) => other !== member);
  const env: Record<string, string> = {
    ...options.env,
    [spec.dirVar]: join(dir, 'n1', 'daemon'),
    [spec.confVar]: join(dir, 'client'),
  };
  const run = createExecaRunner({ binary, env });
  const stop = async (): Promise<void> => {
    // One at a time, each in a few hundred ms while the others keep the quorum; the last one
    // alone waits seconds for a quorum that is gone, and the cluster is thrown away anyway.
    const running = members.filter((member) => member.running).reverse();
    const last = running.pop();
    for (const member of running) await member.stop();
    await last?.stop(LAST_STOP_GRACE_MS);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(members.map((member) => member.start()));
    const [founder, ...others] = members as [Member, ...Member[]];
    await founder.run(['config', 'set', 'core.https_address', founder.address]);
    await founder.run(['cluster', 'enable', founder.name]);
    const certificate = await readFile(join(dir, 'n1', 'daemon', 'server.crt'), 'utf8');
    // one at a time: the cluster database changes its membership with each join
    for (const member of others) await joinMember(founder, member, certificate);
    await until('every member to be online', readyTimeout, async () => {
      for (const member of members)
        if ((await memberStatus(founder, member.name)) !== 'Online') return false;
      return true;
    });
    await trustRemote(run, founder.remote, founder);
    for (const member of others) {
      await run(['remote', 'add', member.remote, member.url, '--accept-certificate']);
    }
    const cluster: Cluster = {
      binary,
      client: createClient({ binary, env }),
      env,
      dir,
      members,
      run,
      stop,
      addRemote: async (name, other) => {
        if (other.address === undefined)
          throw new LxcError('the sandbox must be started with { listen: true }');
        await trustRemote(run, name, { binary: other.binary, url: other.address, run: other.run });
      },
      addTo: (sandbox, name, member = founder) =>
        trustRemote(sandbox.run, name, { binary, url: member.url, run: member.run }),
    };
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

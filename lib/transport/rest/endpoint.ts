import { X509Certificate } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Remote } from '../../wire/schemas.js';

/** How the REST transport reaches one remote. */
export type Endpoint =
  | { kind: 'unix'; socketPath: string; agent: HttpAgent; flavor: Flavor; label: string }
  | {
      kind: 'https';
      host: string;
      port: number;
      agent: HttpsAgent;
      flavor: Flavor;
      label: string;
      /** The other members' addresses, when the remote is a cluster (for failover). */
      members?: { host: string; port: number }[];
    };

/** Which daemon family: its headers are `X-LXD-*` or `X-Incus-*`. */
export type Flavor = 'lxd' | 'incus';

/** Why a remote is served by the CLI instead (said once in the trace). */
export interface Unreachable {
  reason: string;
}

/** The environment that decides the config directory and the local socket. */
export type Environment = Readonly<Record<string, string | undefined>>;

const exists = (path: string, mode = constants.F_OK): Promise<boolean> =>
  access(path, mode).then(
    () => true,
    () => false,
  );

/** The client config directory, as `lxc`/`incus` pick it: `LXD_CONF`/`INCUS_CONF`, else `~/.config/…`. */
export function configDir(flavor: Flavor, env: Environment): string {
  const set = flavor === 'incus' ? env.INCUS_CONF : env.LXD_CONF;
  if (set) return set;
  return join(env.HOME ?? homedir(), '.config', flavor === 'incus' ? 'incus' : 'lxc');
}

/** The global config directory: `LXD_GLOBAL_CONF`/`INCUS_GLOBAL_CONF`, else `/etc/lxd` or `/etc/incus`. */
export function globalConfigDir(flavor: Flavor, env: Environment): string {
  if (flavor === 'incus') return env.INCUS_GLOBAL_CONF ?? '/etc/incus';
  return env.LXD_GLOBAL_CONF ?? '/etc/lxd';
}

/**
 * The socket of a `unix://` remote, as the clients pick it: the path in the address, else
 * `LXD_SOCKET`, `$LXD_DIR/unix.socket`, `/var/lib/lxd/unix.socket` (the snap's socket when that
 * is missing); Incus: `INCUS_SOCKET`, `$INCUS_DIR/unix.socket`, `/run/incus/unix.socket` when it
 * exists, else `/var/lib/incus/unix.socket`.
 */
export async function socketPath(
  address: string,
  flavor: Flavor,
  env: Environment,
): Promise<string> {
  const inAddress = address.replace(/^unix:(\/\/)?/, '');
  if (inAddress !== '') return inAddress;
  if (flavor === 'incus') {
    if (env.INCUS_SOCKET) return env.INCUS_SOCKET;
    if (env.INCUS_DIR) return join(env.INCUS_DIR, 'unix.socket');
    return (await exists('/run/incus/unix.socket'))
      ? '/run/incus/unix.socket'
      : '/var/lib/incus/unix.socket';
  }
  if (env.LXD_SOCKET) return env.LXD_SOCKET;
  if (env.LXD_DIR) return join(env.LXD_DIR, 'unix.socket');
  const snap = '/var/snap/lxd/common/lxd/unix.socket';
  if (!(await exists('/var/lib/lxd/unix.socket')) && (await exists(snap))) return snap;
  return '/var/lib/lxd/unix.socket';
}

/** Reads a file, or undefined when it is not there. */
export function readIfThere(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** The client certificate and key of a remote: `clientcerts/<remote>.*` (Incus), else `client.*`. */
async function clientCertificate(
  dir: string,
  remote: string,
): Promise<{ cert: string; key: string } | Unreachable> {
  for (const base of [join(dir, 'clientcerts', remote), join(dir, 'client')]) {
    const [cert, key] = await Promise.all([readIfThere(`${base}.crt`), readIfThere(`${base}.key`)]);
    if (cert === undefined || key === undefined) continue;
    if (key.includes('ENCRYPTED')) return { reason: 'its client key is encrypted' };
    return { cert, key };
  }
  return { reason: 'there is no client certificate' };
}

/**
 * Pins the server to `pem`: the certificate is the only trusted root, and the peer must be that
 * very certificate (its names are not checked: LXD's certificates name the host, not the address).
 */
export function pinnedTls(pem: string): {
  ca: string;
  checkServerIdentity: (host: string, peer: { raw: Buffer }) => Error | undefined;
} {
  const pinned = new X509Certificate(pem).raw;
  return {
    ca: pem,
    checkServerIdentity: (_host, peer) =>
      peer.raw.equals(pinned)
        ? undefined
        : new Error('the server certificate is not the one pinned in servercerts/'),
  };
}

/**
 * Works out how to reach a remote over REST, or why not (the CLI then serves it): simplestreams
 * and public remotes, OIDC and candid remotes, an encrypted or missing client key, or a local
 * socket this process cannot write.
 */
export async function resolveEndpoint(
  remote: Remote,
  flavor: Flavor,
  env: Environment,
): Promise<Endpoint | Unreachable> {
  const label = remote.name;
  if (remote.protocol === 'simplestreams') return { reason: 'it is a simplestreams remote' };
  if (remote.public) return { reason: 'it is a public image server' };
  if (remote.auth_type !== undefined && remote.auth_type !== '' && remote.auth_type !== 'tls')
    return { reason: `its auth type is ${remote.auth_type}` };
  if (remote.url.startsWith('unix:')) {
    const path = await socketPath(remote.url, flavor, env);
    if (!(await exists(path, constants.W_OK))) return { reason: `cannot write to ${path}` };
    return {
      kind: 'unix',
      socketPath: path,
      agent: new HttpAgent({ keepAlive: true }),
      flavor,
      label,
    };
  }
  const { protocol } = new URL(remote.url);
  if (protocol !== 'https:') return { reason: `its address is ${protocol}` };
  const dir = configDir(flavor, env);
  const client = await clientCertificate(dir, remote.name);
  if ('reason' in client) return client;
  const certDir = remote.global ? globalConfigDir(flavor, env) : dir;
  const pin = await readIfThere(join(certDir, 'servercerts', `${remote.name}.crt`));
  const agent = new HttpsAgent({
    keepAlive: true,
    cert: client.cert,
    key: client.key,
    minVersion: 'TLSv1.3',
    ...(pin === undefined ? {} : pinnedTls(pin)),
  });
  return { kind: 'https', ...hostPort(remote.url), agent, flavor, label };
}

/** The host and port of an `https://` address (LXD's default port is 8443). */
export function hostPort(address: string): { host: string; port: number } {
  const url = new URL(address);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 8443 : Number(url.port),
  };
}

import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import { LxcError, ValidationError } from '../../wire/errors.js';
import type { Reply, Request, Send, Target } from '../../wire/request.js';
import type { Remote } from '../../wire/schemas.js';
import type { RemoteLookup, Transport } from '../transport.js';
import { downloadImage } from './download.js';
import {
  configDir,
  globalConfigDir,
  hostPort,
  pinnedTls,
  readIfThere,
  type Endpoint,
  type Environment,
  type Flavor,
} from './endpoint.js';
import { exchange } from './exchange.js';

/** What an {@link UntrustedReader} needs: the client's flavour, environment and remotes. */
export interface UntrustedOptions {
  flavor: Flavor;
  env: Environment;
  remotes: RemoteLookup;
}

/**
 * Reads private images of servers that do not trust this client, with a secret, over HTTPS
 * directly whichever transport the client uses (no `lxc`/`incus` command takes a secret): no
 * client certificate is sent, and the server must present the certificate pinned in the client
 * config's `servercerts/<remote>.crt` (or, without one, a certificate the system trusts). The
 * secret travels as `?secret=` and is redacted from every error field and the trace.
 */
export class UntrustedReader {
  constructor(private readonly options: UntrustedOptions) {}

  /** Sends a request that has a `secret`: an image read, or an export. */
  async send<T>(target: Target, request: Request<T>, signal: AbortSignal): Promise<Reply<T>> {
    const { secret, api, download } = request;
    if (secret === undefined || (api === undefined) === (download === undefined))
      throw new LxcError('an untrusted read needs a secret and an image read or an export');
    const remote = await this.options.remotes.get(target.remote, signal);
    const endpoint = await this.endpoint(remote);
    if (download !== undefined) {
      const files = await downloadImage({ endpoint, target, signal, secret }, download);
      return { data: files as T };
    }
    if (api === undefined) throw new LxcError('an untrusted read needs an image read');
    const read = { endpoint, target, signal, send: this.refuse, secrets: [secret] };
    return exchange({ ...read, api: { ...api, query: { ...api.query, secret } } });
  }

  // An untrusted read waits for no operation.
  private readonly refuse: Send = () =>
    Promise.reject(new LxcError('an untrusted client cannot wait for an operation'));

  // HTTPS to the remote without a client certificate, pinned to its server certificate.
  private async endpoint(remote: Remote): Promise<Endpoint> {
    if (remote.protocol === 'simplestreams' || !remote.url.startsWith('https://'))
      throw new ValidationError(
        'secret',
        `is for an LXD or Incus https:// remote that does not trust this client; "${remote.name}" is ${remote.url}`,
      );
    const { flavor, env } = this.options;
    const dir = remote.global ? globalConfigDir(flavor, env) : configDir(flavor, env);
    const pin = await readIfThere(join(dir, 'servercerts', `${remote.name}.crt`));
    const agent = new HttpsAgent({
      keepAlive: false,
      minVersion: 'TLSv1.2',
      ...(pin === undefined ? {} : pinnedTls(pin)),
    });
    return { kind: 'https', ...hostPort(remote.url), agent, flavor, label: remote.name };
  }
}

/** A transport whose requests with a `secret` are read as an untrusted client, the rest as before. */
export function withSecretReads(inner: Transport, reader: UntrustedReader): Transport {
  return {
    name: inner.name,
    send: (target, request, signal) =>
      request.secret === undefined
        ? inner.send(target, request, signal)
        : reader.send(target, request, signal),
  };
}

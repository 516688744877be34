import { RemoteError } from '../../wire/errors.js';
import type { Reply, Request, Send, Target } from '../../wire/request.js';
import { note } from '../../wire/trace.js';
import { membersRequest, serverRequest } from '../../requests/server.js';
import type { SimplestreamsReader } from '../simplestreams/reader.js';
import type { RemoteLookup, Transport } from '../transport.js';
import { downloadImage } from './download.js';
import {
  hostPort,
  resolveEndpoint,
  type Endpoint,
  type Environment,
  type Flavor,
} from './endpoint.js';
import { exchange } from './exchange.js';
import { withFailover } from './failover.js';
import { relayImage } from './relay.js';
import { spoolExport } from './spool.js';
import { uploadImage } from './upload.js';

/** What the REST transport needs besides the CLI transport it falls back to. */
export interface RestTransportOptions {
  /** Serves what REST cannot (simplestreams remotes, the remote list…). */
  cli: Transport;
  /** The client's remotes. */
  remotes: RemoteLookup;
  /** `lxd` or `incus`. */
  flavor: Flavor;
  /** The environment that decides the config directory and the local socket. */
  env: Environment;
  /** Retry requests that are safe to repeat through another member of a cluster remote. */
  failover: boolean;
  /** Reads simplestreams remotes in the client. */
  streams: SimplestreamsReader;
}

/**
 * The REST transport: talks to each remote's unix socket or HTTPS address directly, with
 * keep-alive connections, the client's certificate and the pinned server certificate. Remotes
 * that REST cannot serve (simplestreams, public, OIDC/candid, an encrypted key) fall back to
 * the CLI transport, and the trace says so once per remote.
 */
export class RestTransport implements Transport {
  readonly name = 'rest';
  private readonly endpoints = new Map<string, Promise<Endpoint | undefined>>();

  constructor(private readonly options: RestTransportOptions) {}

  /** Sends a request over REST, or through the CLI for what REST cannot serve. */
  async send<T>(target: Target, request: Request<T>, signal: AbortSignal): Promise<Reply<T>> {
    const { api } = request;
    if (request.upload || request.download || request.relay || request.spool)
      return { data: (await this.transfer(target, request, signal)) as T };
    const endpoint = api ? await this.endpoint(target.remote, signal) : undefined;
    if (!endpoint || !api) {
      const native = request.simplestreams && (await this.simplestreams(target, request, signal));
      return native ?? this.options.cli.send(target, request, signal);
    }
    const attempt = (to: Endpoint): Promise<Reply<T>> =>
      exchange({ endpoint: to, target, api, signal, send: this.direct });
    // a remote that is no cluster has no member to fail over to
    if (endpoint.kind !== 'https' || !endpoint.members) return attempt(endpoint);
    return withFailover({
      endpoint,
      api,
      signal,
      attempt,
      onSwitch: (member) => this.endpoints.set(target.remote, Promise.resolve(member)),
    });
  }

  // Streams an upload, an export or a relay (through the CLI when REST cannot reach an end).
  private async transfer<T>(
    target: Target,
    request: Request<T>,
    signal: AbortSignal,
  ): Promise<unknown> {
    const endpoint = await this.endpoint(target.remote, signal);
    const base = { endpoint, target, signal, send: this.direct };
    if (request.relay) {
      const to = await this.endpoint(request.relay.to.remote, signal);
      if (!endpoint || !to) return (await this.options.cli.send(target, request, signal)).data;
      const ends = { source: endpoint, from: target, target: to, send: this.direct };
      return relayImage(ends, request.relay, signal);
    }
    if (!endpoint) return (await this.options.cli.send(target, request, signal)).data;
    if (request.upload) return uploadImage({ ...base, endpoint }, request.upload);
    if (request.download) return downloadImage({ endpoint, target, signal }, request.download);
    if (request.spool) return spoolExport({ endpoint, target, signal }, request.spool);
    return undefined;
  }

  // A simplestreams listing read in the client, or undefined when the reader cannot serve it.
  private async simplestreams<T>(
    target: Target,
    request: Request<T>,
    signal: AbortSignal,
  ): Promise<Reply<T> | undefined> {
    const { simplestreams: read } = request;
    const remote = await this.options.remotes.get(target.remote, signal);
    const { streams } = this.options;
    if (!read || !streams.serves(remote)) return undefined;
    if ('aliases' in read) return { data: (await streams.aliases(remote, signal)) as T };
    return { data: (await streams.images(remote, signal, read.images)) as T };
  }

  // How to reach a remote, found once per client; undefined when the CLI must serve it.
  private endpoint(remote: string, signal: AbortSignal): Promise<Endpoint | undefined> {
    let found = this.endpoints.get(remote);
    if (!found) {
      found = this.resolve(remote, signal);
      this.endpoints.set(remote, found);
      found.catch(() => this.endpoints.delete(remote));
    }
    return found;
  }

  // Resolves a remote, says once why the CLI serves it, and checks that a TLS remote trusts us.
  private async resolve(name: string, signal: AbortSignal): Promise<Endpoint | undefined> {
    const remote = await this.options.remotes.get(name, signal);
    const endpoint = await resolveEndpoint(remote, this.options.flavor, this.options.env);
    if ('reason' in endpoint) {
      note(`remote ${name}: ${endpoint.reason}; using the CLI`);
      return undefined;
    }
    if (endpoint.kind === 'https') {
      const target = { remote: name };
      const send = this.direct;
      const server = await exchange({ endpoint, target, api: serverRequest(), signal, send });
      if (server.data.auth !== 'trusted') {
        throw new RemoteError(
          `the remote "${name}" does not trust this client (it answered auth: "${server.data.auth}")`,
          { remote: name, command: ['GET', `${name}:/1.0`] },
        );
      }
      if (server.data.environment.server_clustered && this.options.failover) {
        const members = await exchange({ endpoint, target, api: membersRequest(), signal, send });
        endpoint.members = members.data.map((member) => hostPort(member.url));
      }
    }
    return endpoint;
  }

  // Sends at once, for waits inside a transfer or a request.
  private readonly direct: Send = (target, request, signal) => this.send(target, request, signal);
}

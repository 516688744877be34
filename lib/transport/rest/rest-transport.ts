import { waitOperation, type Send } from '../../call/operation.js';
import { RemoteError } from '../../errors.js';
import { parseValue } from '../../parse.js';
import { Redactor, secretValues } from '../../redact.js';
import type { RemoteDirectory } from '../../remotes/directory.js';
import { requestUrl, type ApiRequest, type Request, type Target } from '../../requests/request.js';
import { ServerSchema } from '../../requests/server.js';
import { OperationSchema, type Remote } from '../../schemas.js';
import { note } from '../../trace.js';
import { toJson } from '../../validate.js';
import type { Download, Relay, Reply, Transport, Upload } from '../transport.js';
import { resolveEndpoint, type Endpoint, type Environment, type Flavor } from './endpoint.js';
import { describe, open, readEnvelope, readText } from './http.js';
import { downloadImage, relayImage, uploadImage } from './transfer.js';

/** What the REST transport needs besides the CLI transport it falls back to. */
export interface RestTransportOptions {
  /** Serves what REST cannot (simplestreams remotes…), and lists the remotes. */
  cli: Transport;
  /** The client's remotes. */
  remotes: RemoteDirectory;
  /** `lxd` or `incus`. */
  flavor: Flavor;
  /** The environment that decides the config directory and the local socket. */
  env: Environment;
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

  /** Lists the remotes (through the CLI: `remote list --format=json`). */
  listRemotes(signal: AbortSignal): Promise<Remote[]> {
    return this.options.cli.listRemotes(signal);
  }

  /** Sends a request over REST, or through the CLI for a remote that REST cannot serve. */
  async send<T>(target: Target, request: Request<T>, signal: AbortSignal): Promise<Reply<T>> {
    const endpoint = request.api ? await this.endpoint(target.remote, signal) : undefined;
    if (!endpoint || !request.api) return this.options.cli.send(target, request, signal);
    return this.exchange(endpoint, target, request.api, signal);
  }

  /** Streams image data into `POST /1.0/images`. */
  async upload(target: Target, upload: Upload, signal: AbortSignal): Promise<string> {
    const endpoint = await this.endpoint(target.remote, signal);
    if (!endpoint) return this.options.cli.upload(target, upload, signal);
    return uploadImage(endpoint, target, upload, signal, this.direct);
  }

  /** Streams `GET /1.0/images/<fp>/export` into files. */
  async download(target: Target, download: Download, signal: AbortSignal): Promise<string[]> {
    const endpoint = await this.endpoint(target.remote, signal);
    if (!endpoint) return this.options.cli.download(target, download, signal);
    return downloadImage(endpoint, target, download, signal);
  }

  /** Pipes the source's export straight into the target's upload: no temporary file. */
  async relay(from: Target, relay: Relay, signal: AbortSignal): Promise<void> {
    const source = await this.endpoint(from.remote, signal);
    const target = await this.endpoint(relay.to.remote, signal);
    if (!source || !target) return this.options.cli.relay(from, relay, signal);
    await relayImage(source, from, target, relay, signal, this.direct);
  }

  // One REST exchange: the envelope read, an operation waited for when asked, the data checked.
  private async exchange<T>(
    endpoint: Endpoint,
    target: Target,
    api: ApiRequest<T>,
    signal: AbortSignal,
  ): Promise<Reply<T>> {
    const redactor = new Redactor(secretValues(api.body));
    const body = api.body === undefined ? undefined : toJson(api.body);
    const call = {
      method: api.method,
      url: requestUrl(api, target.project),
      redactor,
      body,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(api.etag === undefined ? {} : { 'If-Match': api.etag }),
      },
    };
    const response = await open(endpoint, call, signal);
    const text = await readText(response, signal);
    const envelope = readEnvelope(
      text,
      response,
      describe(endpoint, call),
      target.remote,
      redactor,
    );
    const etag = response.headers.etag;
    let metadata = envelope.metadata;
    if (api.wait && envelope.type === 'async') {
      const op = parseValue(OperationSchema, metadata, text, { remote: target.remote });
      metadata = await waitOperation(this.direct, target, op.id, signal);
    }
    return { data: parseValue(api.schema, metadata, text, { remote: target.remote }), etag };
  }

  // How to reach a remote, found once per client; undefined when the CLI must serve it.
  private async endpoint(remote: string, signal: AbortSignal): Promise<Endpoint | undefined> {
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
      const server = await this.exchange(
        endpoint,
        { remote: name },
        { method: 'GET', path: '/1.0', schema: ServerSchema, global: true },
        signal,
      );
      if (server.data.auth !== 'trusted') {
        throw new RemoteError(
          `the remote "${name}" does not trust this client (it answered auth: "${server.data.auth}")`,
          { remote: name, command: ['GET', `${name}:/1.0`] },
        );
      }
    }
    return endpoint;
  }

  // Sends at once, for waits inside a transfer or a request.
  private readonly direct: Send = (target, request, signal) => this.send(target, request, signal);
}

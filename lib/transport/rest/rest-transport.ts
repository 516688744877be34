import { z } from 'zod';
import { waitOperation, type Send } from '../../call/operation.js';
import { RemoteError } from '../../errors.js';
import { parseValue } from '../../parse.js';
import { Redactor, secretValues } from '../../redact.js';
import type { RemoteDirectory } from '../../remotes/directory.js';
import { requestUrl, type ApiRequest, type Request, type Target } from '../../requests/request.js';
import { serverRequest } from '../../requests/server.js';
import { OperationSchema, type Remote } from '../../schemas.js';
import { note } from '../../trace.js';
import { toJson } from '../../validate.js';
import type { Download, Relay, Reply, Transport, Upload } from '../transport.js';
import {
  hostPort,
  resolveEndpoint,
  type Endpoint,
  type Environment,
  type Flavor,
} from './endpoint.js';
import { describe, open, readEnvelope, readText } from './http.js';
import { downloadImage } from './download.js';
import { relayImage } from './relay.js';
import { uploadImage } from './upload.js';

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
  /** Retry requests that are safe to repeat through another member of a cluster remote. */
  failover: boolean;
}

const MembersSchema = z.array(z.looseObject({ url: z.string() })).nullish();

// True for a failure to reach the endpoint at all (no answer), not for an answer that says no.
function unreachable(error: unknown, signal: AbortSignal): boolean {
  return error instanceof RemoteError && error.status === undefined && !signal.aborted;
}

// A request that can be sent again without harm: a read, or a write guarded by its ETag.
function repeatable(api: ApiRequest): boolean {
  return api.method === 'GET' || api.etag !== undefined;
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
    try {
      return await this.exchange(endpoint, target, request.api, signal);
    } catch (error) {
      if (endpoint.kind !== 'https' || !endpoint.members || !unreachable(error, signal))
        throw error;
      if (!repeatable(request.api)) throw error;
      return this.failover(endpoint, target, request.api, signal, error);
    }
  }

  // Sends through the other members of a cluster remote whose address did not answer, and keeps
  // using the first that does (they share the cluster certificate, so the pin still holds).
  private async failover<T>(
    endpoint: Extract<Endpoint, { kind: 'https' }>,
    target: Target,
    api: ApiRequest<T>,
    signal: AbortSignal,
    first: unknown,
  ): Promise<Reply<T>> {
    for (const member of endpoint.members ?? []) {
      if (member.host === endpoint.host && member.port === endpoint.port) continue;
      const other = { ...endpoint, ...member };
      try {
        const reply = await this.exchange(other, target, api, signal);
        note(
          `remote ${target.remote}: ${endpoint.host}:${endpoint.port} is unreachable; using ${member.host}:${member.port}`,
        );
        this.endpoints.set(target.remote, Promise.resolve(other));
        return reply;
      } catch (error) {
        if (!unreachable(error, signal)) throw error;
      }
    }
    throw first;
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
      const command = describe(endpoint, call);
      metadata = await waitOperation(this.direct, target, op.id, signal, { command });
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
      const target = { remote: name };
      const server = await this.exchange(endpoint, target, serverRequest(), signal);
      if (server.data.auth !== 'trusted') {
        throw new RemoteError(
          `the remote "${name}" does not trust this client (it answered auth: "${server.data.auth}")`,
          { remote: name, command: ['GET', `${name}:/1.0`] },
        );
      }
      if (server.data.environment.server_clustered && this.options.failover) {
        const members = await this.exchange(endpoint, target, membersRequest(), signal);
        endpoint.members = (members.data ?? []).map((member) => hostPort(member.url));
      }
    }
    return endpoint;
  }

  // Sends at once, for waits inside a transfer or a request.
  private readonly direct: Send = (target, request, signal) => this.send(target, request, signal);
}

// `GET /1.0/cluster/members?recursion=1`
function membersRequest(): ApiRequest<z.output<typeof MembersSchema>> {
  return {
    method: 'GET',
    path: '/1.0/cluster/members',
    query: { recursion: '1' },
    schema: MembersSchema,
    global: true,
  };
}

import { createClient, type Client } from '../../lib/index.js';
import type { SandboxBinary } from '../../lib/testing/index.js';
import { RemoteDirectory } from '../../lib/call/remotes.js';
import { remoteListCommand } from '../../lib/requests/server.js';
import { CliTransport } from '../../lib/transport/cli/cli-transport.js';
import { createExecaRunner } from '../../lib/transport/cli/runner.js';
import { withProbes } from '../../lib/transport/probe.js';
import { RestTransport } from '../../lib/transport/rest/rest-transport.js';
import { SimplestreamsReader } from '../../lib/transport/simplestreams/reader.js';
import type { Transport } from '../../lib/transport/transport.js';
import type { Request, Target } from '../../lib/wire/request.js';

/** A request a counting client sent to its transport. */
export interface Sent {
  target: Target;
  request: Request;
}

/** A client of the real transport `transport`, and every request it hands that transport. */
export interface CountingClient {
  client: Client;
  sent: Sent[];
  /** The requests that change something: REST writes (not GET), and transfers of image data. */
  writes(): Sent[];
}

/** The real transport of a client, built as `createClient` builds it. */
export function realTransport(
  binary: SandboxBinary,
  env: Record<string, string>,
  transport: 'cli' | 'rest',
): Transport {
  const protocol = binary === 'incus' ? 'incus' : 'lxd';
  const cli = new CliTransport(createExecaRunner({ binary, env }));
  const listing = { cli: remoteListCommand(protocol) };
  const remotes = new RemoteDirectory(
    async (signal) => (await cli.send({ remote: 'local' }, listing, signal)).data,
    protocol,
  );
  const fullEnv = { ...process.env, ...env };
  const inner =
    transport === 'cli'
      ? cli
      : new RestTransport({
          cli,
          remotes,
          flavor: protocol,
          env: fullEnv,
          failover: true,
          streams: new SimplestreamsReader({ flavor: protocol, env: fullEnv }),
        });
  return withProbes(inner, fullEnv);
}

/** True for a request that changes something on a daemon. */
export function isWrite({ request }: Sent): boolean {
  const method = request.api?.method;
  if (method !== undefined && method !== 'GET') return true;
  return Boolean(request.upload ?? request.relay);
}

/**
 * A client over the real CLI or REST transport that records each request it sends (after the
 * client's policies: a guarded write is its read and its write), to count requests in a test.
 */
export function countingClient(
  binary: SandboxBinary,
  env: Record<string, string>,
  transport: 'cli' | 'rest',
): CountingClient {
  const inner = realTransport(binary, env, transport);
  const sent: Sent[] = [];
  const counting: Transport = {
    name: inner.name,
    send: (target, request, signal) => {
      sent.push({ target, request: request });
      return inner.send(target, request, signal);
    },
  };
  const client = createClient({ binary, env, transport: counting });
  return { client, sent, writes: () => sent.filter(isWrite) };
}

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** A canned answer. */
export interface Canned {
  status?: number;
  body: string;
}

/** A loopback HTTPS server answering fixed bodies by path, that can hold its answers back. */
export interface StaticServer {
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  /** Requests whose connection closed before they were answered. */
  dropped: number;
  /** Holds every answer until {@link release}. */
  hold(): void;
  /** Sends the answers held, and answers at once from now on. */
  release(): void;
  close(): Promise<void>;
}

/** Starts a {@link StaticServer} with `routes` (path → answer; anything else is a 404). */
export async function startStaticServer(
  tls: { cert: string; key: string },
  routes: Readonly<Record<string, Canned>>,
): Promise<StaticServer> {
  let held: (() => void)[] | undefined;
  const requests: string[] = [];
  const state = { dropped: 0 };
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const canned = routes[req.url ?? ''];
    res.writeHead(canned?.status ?? (canned ? 200 : 404), { 'Content-Type': 'application/json' });
    res.end(canned?.body ?? 'not found\n');
  };
  const server = createServer(tls, (req, res) => {
    requests.push(req.url ?? '');
    if (!held) {
      answer(req, res);
      return;
    }
    res.once('close', () => {
      if (!res.writableEnded) state.dropped++;
    });
    held.push(() => {
      if (!res.destroyed) answer(req, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    get dropped() {
      return state.dropped;
    },
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const send of waiting) send();
    },
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

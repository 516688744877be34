import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** A loopback TCP proxy to a daemon that slows what is sent to it (TLS passes through as is). */
export interface ThrottleProxy {
  /** `https://127.0.0.1:PORT`: add it as a remote in place of the daemon's own address. */
  url: string;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

// Passes chunks on at `rate` bytes a second (the way back is not slowed).
function throttle(rate: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      void sleep((chunk.length / rate) * 1000).then(() => {
        done(null, chunk);
      });
    },
  });
}

/**
 * Starts a proxy on a random port of 127.0.0.1 to `address` (`https://HOST:PORT`) that forwards
 * the bytes sent to the daemon at `rate` bytes a second, so that an upload through it takes its
 * size / `rate` seconds at least, however fast the machine (less what the socket buffers hold).
 */
export async function startThrottleProxy(address: string, rate: number): Promise<ThrottleProxy> {
  const { hostname, port } = new URL(address);
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      socket.once('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(throttle(rate)).pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const bound = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${bound.port}`,
    async close(): Promise<void> {
      const closed = once(server, 'close');
      server.close();
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}

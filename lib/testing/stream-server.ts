import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { makeTestCa } from './tls.js';

/** A simplestreams tree served over loopback HTTPS by {@link startStreamServer}. */
export interface StreamServer {
  /** `https://127.0.0.1:PORT` (no trailing slash): add it with `--protocol=simplestreams`. */
  url: string;
  /** The throwaway CA's certificate (PEM file) that signed the server's certificate. */
  caFile: string;
  /** What a daemon, `lxc`/`incus` and the library need to trust the server: `SSL_CERT_FILE`. */
  env: { SSL_CERT_FILE: string };
  /** Stops listening, drops open connections and removes the CA. The tree stays. */
  stop(): Promise<void>;
}

/**
 * Listens on a random high port of 127.0.0.1. Not port 0: the kernel hands the same ports out
 * again, and the incus client caches a simplestreams index by URL for an hour in the account's
 * home, so a server on a reused port would be read from a stale index of an earlier run.
 */
export async function listenOnRandomPort(server: Server): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    server.listen(port, '127.0.0.1');
    // `once` rejects when 'error' (EADDRINUSE) comes first
    const listening = await once(server, 'listening').then(
      () => true,
      () => false,
    );
    if (listening) return;
    if (attempt > 20) throw new Error('no free loopback port');
  }
}

// The file a URL path names inside `root`, or undefined (outside, hidden, or not a file).
async function fileFor(
  root: string,
  url: string,
): Promise<{ path: string; size: number } | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'https://x').pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.split('/').some((part) => part.startsWith('.'))) return undefined;
  const file = resolve(root, `.${path}`);
  if (!file.startsWith(root + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? { path: file, size: info.size } : undefined;
}

// Serves one GET or HEAD from the tree.
async function serve(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return void res.writeHead(405).end();
  const file = await fileFor(root, req.url ?? '/');
  if (file === undefined)
    return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  const type = file.path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': file.size,
    'Cache-Control': 'no-cache',
  });
  if (method === 'HEAD') return void res.end();
  await pipeline(createReadStream(file.path, { highWaterMark: 256 * 1024 }), res);
}

/**
 * Serves a simplestreams tree (a directory written by `lxc-images/streams`) on a random port of
 * 127.0.0.1 over HTTPS, with a certificate signed by a throwaway CA. Files are read from disk
 * on each request, so what is added to the tree is served at once; names starting with `.` are
 * not served. A daemon trusts the server only when it runs with `env` (pass it to
 * `startSandbox({ env })`).
 * @example
 * const server = await startStreamServer('/srv/images');
 * const sandbox = await startSandbox({ env: server.env });
 * await sandbox.run(['remote', 'add', 'mine', server.url, '--protocol=simplestreams', '--public']);
 */
export async function startStreamServer(dir: string): Promise<StreamServer> {
  const root = await realpath(dir);
  const tls = await mkdtemp(join(tmpdir(), 'lxc-images-stream-ca-'));
  try {
    const ca = await makeTestCa(tls);
    const server = createServer({ cert: ca.cert, key: ca.key }, (req, res) => {
      serve(root, req, res).catch(() => res.destroy()); // a client gone mid-file ends here
    });
    await listenOnRandomPort(server);
    const { port } = server.address() as AddressInfo;
    const stop = async (): Promise<void> => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
      await rm(tls, { recursive: true, force: true });
    };
    return {
      url: `https://127.0.0.1:${port}`,
      caFile: ca.caCert,
      env: { SSL_CERT_FILE: ca.caCert },
      stop,
    };
  } catch (error) {
    await rm(tls, { recursive: true, force: true });
    throw error;
  }
}

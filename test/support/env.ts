import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox, type SandboxBinary } from '../../lib/testing/index.js';
import { startImageServer, type ImageServer } from './image-server.js';
import { makeImage, type ImageOptions, type TestImage } from './make-image.js';
import { makeTestCa, type TestCa } from './tls.js';

/** The daemons every integration spec runs against. */
export const BINARIES: readonly SandboxBinary[] = ['lxc', 'incus'];

/** The transports every integration spec runs on. */
export const TRANSPORTS: readonly ('cli' | 'rest')[] = ['cli', 'rest'];

/** A name for one daemon and transport: `lxc-cli`, `incus-rest`… */
export function tagOf(binary: SandboxBinary, transport: 'cli' | 'rest'): string {
  return `${binary}-${transport}`;
}

/** Images published on the image server before anything reads it (daemons and clients cache its index). */
export interface Catalog {
  /** `ssos/1.0`, `ssos` */
  ssos: TestImage;
  /** `copyos` (2 MB) */
  copyos: TestImage;
  /** `refos-<binary>-<transport>`, version 1 (one per daemon and transport, so that publishing a newer one stays private) */
  refos: Record<string, TestImage>;
  /** `slow-timeout` and `slow-abort` (3 MB each), for transfers cut short */
  slowTimeout: TestImage;
  slowAbort: TestImage;
}

interface World {
  tmp: string;
  ca: TestCa;
  server: ImageServer;
  catalog: Catalog;
}

const VERSION = '20261123_0000';

// Publishes the catalog.
async function publishCatalog(tmp: string, server: ImageServer): Promise<Catalog> {
  const make = (os: string, filler = 0): Promise<TestImage> =>
    makeImage(tmp, { os, filler, seed: `${os}-${Math.random()}` });
  const refos: Record<string, TestImage> = {};
  for (const binary of BINARIES)
    for (const transport of TRANSPORTS)
      refos[tagOf(binary, transport)] = await make(`refos-${tagOf(binary, transport)}`);
  const catalog: Catalog = {
    ssos: await make('ssos'),
    copyos: await make('copyos', 2_000_000),
    refos,
    slowTimeout: await make('slowtimeout', 3_000_000),
    slowAbort: await make('slowabort', 3_000_000),
  };
  const publish = (os: string, aliases: string[], image: TestImage): void => {
    server.publish({ os, release: '1.0', aliases, version: VERSION, image });
  };
  publish('ssos', ['ssos/1.0', 'ssos'], catalog.ssos);
  publish('copyos', ['copyos'], catalog.copyos);
  for (const [tag, image] of Object.entries(refos))
    publish(`refos-${tag}`, [`refos-${tag}`], image);
  publish('slowtimeout', ['slow-timeout'], catalog.slowTimeout);
  publish('slowabort', ['slow-abort'], catalog.slowAbort);
  return catalog;
}

/** Empties a sandbox daemon's simplestreams cache (it keeps the index for an hour). */
export async function clearDaemonCache(sandbox: Sandbox): Promise<void> {
  const cache = join(sandbox.dir, 'daemon', 'cache');
  for (const entry of await readdir(cache).catch(() => []))
    await rm(join(cache, entry), { recursive: true, force: true });
}

let world: Promise<World> | undefined;
const sandboxes = new Map<string, Promise<Sandbox>>();

/** The shared scratch dir, test CA and loopback image server (started once). */
export function getWorld(): Promise<World> {
  world ??= (async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'lxc-images-test-'));
    const ca = await makeTestCa(join(tmp, 'tls'));
    const server = await startImageServer({ tls: ca });
    return { tmp, ca, server, catalog: await publishCatalog(tmp, server) };
  })();
  return world;
}

/**
 * A sandbox of `binary` shared by the specs that ask for the same `key`. It trusts the test CA,
 * listens on loopback, and has the image server as its simplestreams remote `ss`.
 */
export function getSandbox(binary: SandboxBinary, key = 'main'): Promise<Sandbox> {
  const id = `${binary}:${key}`;
  let sandbox = sandboxes.get(id);
  if (!sandbox) {
    sandbox = (async () => {
      const { ca, server } = await getWorld();
      const env = { SSL_CERT_FILE: ca.caCert, SSL_CERT_DIR: join(ca.caCert, '..') };
      const s = await startSandbox({ binary, listen: true, env });
      await s.run(['remote', 'add', 'ss', server.url, '--protocol=simplestreams', '--public']);
      return s;
    })();
    sandboxes.set(id, sandbox);
  }
  return sandbox;
}

let counter = 0;
/** A fresh, unique image tarball in the shared scratch dir. */
export async function newImage(options: ImageOptions = {}): Promise<TestImage> {
  const { tmp } = await getWorld();
  return makeImage(tmp, { seed: `img-${process.pid}-${counter++}-${Math.random()}`, ...options });
}

/** Stops every sandbox and the image server, and removes the scratch dir. */
export async function tearDown(): Promise<void> {
  const all = await Promise.allSettled([...sandboxes.values()]);
  sandboxes.clear();
  const started = all.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  await Promise.all(started.map((sandbox) => sandbox.stop()));
  if (world) {
    const { tmp, server } = await world;
    world = undefined;
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Mocha root hooks: tear everything down once at the end. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await tearDown();
  },
};

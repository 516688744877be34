import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageAlias, Remote } from '../lib/wire/schemas.js';
import { resolveListed } from '../lib/requests/public-aliases.js';
import { SimplestreamsReader } from '../lib/transport/simplestreams/reader.js';
import { startImageServer, type ImageServer } from '../test/support/image-server.js';
import { makeTestCa } from '../test/support/tls.js';
import { pairRow, renderTable, type Row } from './report.js';
import { benchTree, rawGetJson } from './simplestreams-tree.js';
import { comparePair, median, type PairResult } from './timing.js';

const BASELINE = 'keep-alive HTTPS GET + JSON.parse of the products file';

// A table row from a timed pair (`target` undefined: a figure to report, no target).
function row(operation: string, pair: PairResult, target: number | undefined, note: string): Row {
  return pairRow(operation, BASELINE, pair, target, note);
}

/** What the timed reads need. */
interface ReadBench {
  server: ImageServer;
  remote: Remote;
  env: Record<string, string>;
  /** One keep-alive GET + parse of the products file. */
  products: () => Promise<unknown>;
  rounds: number;
}

const PRODUCT = 'benchos0:1.0:amd64:default';
const signal = new AbortController().signal;

// An `info` of one of the 300 products, a different one each time, as the REST transport serves
// it: the listing narrowed to the ref (read in the client), then the library's one rule.
function infos(reader: SimplestreamsReader, remote: Remote): () => Promise<unknown> {
  let n = 0;
  return async () => {
    const ref = `benchos${String(n++ % 300)}`;
    const images = await reader.images(remote, signal, [ref]);
    const aliases = (): Promise<ImageAlias[]> => reader.aliases(remote, signal);
    return resolveListed({ images, aliases }, { ref, prefix: true });
  };
}

// `info` revalidated (two 304s), cached, and a list, against one GET + parse.
async function steadyRows(b: ReadBench): Promise<Row[]> {
  const revalidating = new SimplestreamsReader({ flavor: 'lxd', env: b.env, freshMs: 0 });
  const cached = new SimplestreamsReader({ flavor: 'lxd', env: b.env });
  const pair = async (lib: () => Promise<unknown>): Promise<PairResult> =>
    comparePair({ lib, base: b.products, rounds: b.rounds, perRound: 20 });
  const rows = [
    row(
      'simplestreams info (revalidated: 2 × 304)',
      await pair(infos(revalidating, b.remote)),
      1.5,
      'fresh window 0',
    ),
    row(
      'simplestreams info (cached)',
      await pair(infos(cached, b.remote)),
      0.1,
      'within the 5 s window',
    ),
    row(
      'simplestreams list (900 images, cached)',
      await pair(() => cached.images(b.remote, signal)),
      1.5,
      'Image[] built each call',
    ),
  ];
  revalidating.close();
  cached.close();
  return rows;
}

// `info` after the tree changed (fetch, parse, convert), against a GET + parse of the changed file.
async function changedRow(b: ReadBench): Promise<Row> {
  const { server } = b;
  const reader = new SimplestreamsReader({ flavor: 'lxd', env: b.env, freshMs: 0 });
  let n = 0;
  // both sides meet a changed tree: the server serialises it anew for either
  const republish = (): void => {
    server.publishProduct(PRODUCT, benchTree(1, 3 + (n++ % 2))[PRODUCT]);
  };
  const info = infos(reader, b.remote);
  const pair = await comparePair({
    lib: () => (republish(), info()),
    base: () => (republish(), b.products()),
    rounds: b.rounds,
    perRound: 20,
  });
  reader.close();
  const note = 'a product republished before each, on both sides; decode, convert, sort';
  return row('simplestreams info (tree changed)', pair, undefined, note);
}

// The first `info` of a new reader (the CA store read, a TLS handshake, a full fetch and build).
async function coldRow(b: ReadBench): Promise<Row> {
  const lib: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < Math.max(5, b.rounds); i++) {
    const reader = new SimplestreamsReader({ flavor: 'lxd', env: b.env });
    let started = performance.now();
    await infos(reader, b.remote)();
    lib.push(performance.now() - started);
    reader.close();
    started = performance.now();
    await b.products();
    base.push(performance.now() - started);
  }
  const [libMedian, baseMedian] = [median(lib), median(base)];
  const pair = {
    libMedian,
    baseMedian,
    ratio: libMedian / baseMedian,
    pairRatio: libMedian / baseMedian,
    samples: lib.length,
  };
  return row(
    'simplestreams info (a new reader: CA store, TLS, fetch)',
    pair,
    undefined,
    'once per client',
  );
}

/**
 * Reads of a 300-product (900-image) loopback tree by the in-client simplestreams reader, timed
 * against one keep-alive GET + parse of its products file. Needs no daemon.
 */
export async function simplestreamsReadRows(scale = 1): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lxc-images-bench-ssread-'));
  const ca = await makeTestCa(join(dir, 'tls'));
  const server = await startImageServer({ tls: ca });
  try {
    for (const [key, product] of Object.entries(benchTree())) server.publishProduct(key, product);
    const env = { SSL_CERT_FILE: ca.caCert, SSL_CERT_DIR: '' };
    const remote: Remote = { name: 'ss', url: server.url, protocol: 'simplestreams', public: true };
    const agent = new Agent({ keepAlive: true, ca: await readFile(ca.caCert, 'utf8') });
    const get = rawGetJson(agent);
    const products = (): Promise<unknown> => get(`${server.url}/streams/v1/images.json`);
    const bench = { server, remote, env, products, rounds: Math.max(3, Math.round(10 * scale)) };
    const rows = [...(await steadyRows(bench)), await changedRow(bench), await coldRow(bench)];
    agent.destroy();
    return rows;
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  console.log(renderTable(await simplestreamsReadRows(Number(process.env.BENCH_SCALE ?? 1))));
}

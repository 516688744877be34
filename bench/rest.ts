import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { execa } from 'execa';
import { createClient, type Client } from '../lib/index.js';
import { countingRunner, lxcQueryFor } from './baselines.js';
import { ms, pairRow, type Row } from './report.js';
import type { SuiteContext } from './suite.js';
import { comparePair, median } from './timing.js';

/** A raw keep-alive `node:http` GET over the daemon's socket: the physical limit. */
export function rawGet(socketPath: string): (path: string) => Promise<string> {
  const agent = new Agent({ keepAlive: true });
  return (path) =>
    new Promise((resolve, reject) => {
      const req = request({ socketPath, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve(body);
        });
      });
      req.on('error', reject).end();
    });
}

// Runs `count` calls with at most `limit` at once.
async function pool(
  count: number,
  limit: number,
  fn: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) await fn(i);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

// Counts the HTTP requests that `fn` sends (Node's `http.client.request.start` channel).
async function countRequests(fn: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const onRequest = (): void => {
    count++;
  };
  subscribe('http.client.request.start', onRequest);
  try {
    await fn();
  } finally {
    unsubscribe('http.client.request.start', onRequest);
  }
  return count;
}

/** pylxd's own loop, started as a Python process: its per-call samples (ms), or why it cannot run. */
async function pylxdSamples(
  socketDir: string,
  fingerprint: string,
  iterations: number,
): Promise<number[] | string> {
  const script = join(import.meta.dirname, 'pylxd_info.py');
  const result = await execa('/usr/bin/python3', [script, fingerprint, String(iterations)], {
    env: { LXD_DIR: socketDir, PYTHONWARNINGS: 'ignore' },
    reject: false,
  });
  if (result.exitCode !== 0) return `pylxd did not run: ${result.stderr.split('\n').at(-2) ?? ''}`;
  return JSON.parse(result.stdout) as number[];
}

// A row from two medians, with its target.
function row(
  operation: string,
  baseline: string,
  lib: number,
  base: number,
  limit: number,
  note: string,
): Row {
  const ratio = lib / base;
  return {
    operation,
    baseline,
    lib: ms(lib),
    base: ms(base),
    ratio: ratio.toFixed(3),
    pairRatio: ratio.toFixed(3),
    target: `≤ ${limit.toFixed(2)}`,
    met: ratio <= limit ? 'yes' : 'no',
    note,
  };
}

/** The REST transport against a raw GET, pylxd and lxc-query, and its correctness figures. */
export async function restRows(s: SuiteContext): Promise<Row[]> {
  const { sandbox } = s;
  const socketDir = sandbox.env.LXD_DIR ?? sandbox.env.INCUS_DIR ?? '';
  const client: Client = createClient({
    binary: sandbox.binary,
    env: sandbox.env,
    transport: 'rest',
  });
  const raw = rawGet(join(socketDir, 'unix.socket'));
  const rows: Row[] = [];
  const fast = { rounds: Math.max(3, Math.round(15 * s.scale)), perRound: 20 };
  const info = (): Promise<unknown> => client.images.info('local', s.single);
  const get = (): Promise<unknown> => raw(`/1.0/images/${s.single}`);

  const vsRaw = await comparePair({ lib: info, base: get, ...fast });
  rows.push(pairRow('REST info', 'raw keep-alive GET', vsRaw, 1.1));
  console.error(`  REST info vs raw GET: ${vsRaw.pairRatio.toFixed(3)}`);

  // pylxd runs in its own loop, in rounds that alternate with lxc-images' own
  const libSamples: number[] = [];
  const rawSamples: number[] = [];
  const pySamples: number[] = [];
  let pyNote = '';
  for (let r = 0; r < Math.max(3, Math.round(6 * s.scale)); r++) {
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      await info();
      libSamples.push(performance.now() - started);
    }
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      await get();
      rawSamples.push(performance.now() - started);
    }
    const samples = await pylxdSamples(socketDir, s.single, 50);
    if (typeof samples === 'string') {
      pyNote = samples;
      break;
    }
    pySamples.push(...samples);
  }
  if (pySamples.length > 0) {
    rows.push(
      row(
        'REST info',
        'pylxd (python3-pylxd)',
        median(libSamples),
        median(pySamples),
        0.7,
        `${pySamples.length} samples each; pylxd timed in its own loop`,
      ),
      {
        ...row(
          'raw keep-alive GET',
          'pylxd (python3-pylxd)',
          median(rawSamples),
          median(pySamples),
          Infinity,
          'the same rounds; informative: no client can go below the raw GET',
        ),
        target: '—',
        met: 'n/a',
      },
    );
  } else {
    rows.push({
      ...row('REST info', 'pylxd', median(libSamples), NaN, 0.7, pyNote),
      met: 'n/a',
      base: '—',
      ratio: '—',
      pairRatio: '—',
    });
  }

  const lq = lxcQueryFor(sandbox.binary, sandbox.env);
  const vsLq = await comparePair({
    lib: info,
    base: () => lq.images.info('local', s.single),
    rounds: fast.rounds,
    perRound: 3,
  });
  rows.push(pairRow('REST info', 'lxc-query', vsLq, 0.9));

  const refs = s.bulk.slice(0, 100);
  const opts = { project: s.bulkProject };
  const hundred = (): Promise<unknown> =>
    pool(refs.length, 8, (i) => client.images.info('local', refs[i] ?? '', opts));
  const hundredRaw = (): Promise<unknown> =>
    pool(refs.length, 8, (i) => raw(`/1.0/images/${refs[i] ?? ''}?project=${s.bulkProject}`));
  const many = await comparePair({
    lib: hundred,
    base: hundredRaw,
    rounds: Math.max(3, Math.round(8 * s.scale)),
    perRound: 1,
  });
  rows.push({
    ...row(
      `100 REST info (${s.bulk.length} stored)`,
      '100 raw GETs, 8 at once',
      many.libMedian,
      many.baseMedian,
      1.5,
      'both with concurrency 8',
    ),
    pairRatio: many.pairRatio.toFixed(3),
    met: many.pairRatio <= 1.5 ? 'yes' : 'no',
  });

  const trips = await countRequests(() =>
    client.images.replace('local', s.single, { properties: { bench: 'yes' } }),
  );
  rows.push({
    operation: 'REST replace',
    baseline: 'HTTP requests',
    lib: String(trips),
    base: '—',
    ratio: '—',
    pairRatio: '—',
    target: '≤ 3',
    met: trips <= 3 ? 'yes' : 'no',
    note: 'read with ETag, PUT with If-Match, read back',
  });
  return rows;
}

/** 50 concurrent `setProperty` calls on one image, on each transport: how many keys survive. */
export async function lostUpdateRows(s: SuiteContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const transport of ['cli', 'rest'] as const) {
    const client = createClient({ binary: s.sandbox.binary, env: s.sandbox.env, transport });
    const prefix = `lost-${transport}-`;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.images.setProperty('local', s.single, `${prefix}${i}`, 'x'),
      ),
    );
    const properties = await client.images.info('local', s.single, (i) => i.properties);
    const kept = Object.keys(properties).filter((k) => k.startsWith(prefix)).length;
    rows.push({
      operation: `50 concurrent setProperty (${transport})`,
      baseline: 'keys kept',
      lib: `${kept} of 50`,
      base: '—',
      ratio: '—',
      pairRatio: '—',
      target: '50 of 50',
      met: kept === 50 ? 'yes' : 'no',
      note: 'one image, 50 different keys',
    });
  }
  return rows;
}

/** A simplestreams read through a REST client: how many processes it spawns. */
export async function simplestreamsRow(
  s: SuiteContext,
  env: Record<string, string>,
  remote: string,
  ref: string,
): Promise<Row> {
  const counter = countingRunner(s.sandbox.binary, env);
  const client = createClient({
    binary: s.sandbox.binary,
    env,
    transport: 'rest',
    runner: counter.runner,
  });
  await client.remotes.list();
  counter.reset();
  await client.images.info(remote, ref);
  const processes = counter.count();
  return {
    operation: 'REST info on a simplestreams remote',
    baseline: 'processes',
    lib: String(processes),
    base: '—',
    ratio: '—',
    pairRatio: '—',
    target: '0',
    met: processes === 0 ? 'yes' : 'no',
    note: 'after the remote list is read (once per client)',
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '../lib/index.js';
import { startSandbox, type Sandbox, type SandboxBinary } from '../lib/testing/index.js';
import { bytesRead, cpuOf, daemonPid, daemonPids } from './procfs.js';
import type { Row } from './report.js';
import { writeBigImage } from './tar.js';
import { median } from './timing.js';

const MIB = 1024 ** 2;
const TARGETS = ['t0', 't1', 't2', 't3'];

/** One round: a relay copy to one target, and a relay sync to four, with what each read. */
export interface SyncRound {
  relayMs: number;
  relayRead: number;
  syncMs: number;
  syncRead: number;
  /** CPU time of the sync: the five daemons, and this process (ms). */
  syncDaemonCpu: number;
  syncClientCpu: number;
}

/** What one measured run took: wall time, the source's reads, and the CPU of all. */
interface Measured {
  ms: number;
  read: number;
  daemonCpu: number;
  clientCpu: number;
}

// Times `fn`, counting what the source daemon read and the CPU every process spent meanwhile.
async function measured(source: string, fn: () => Promise<unknown>): Promise<Measured> {
  const pids = await daemonPids();
  const [readBefore, cpuBefore, clientBefore] = [
    await bytesRead(source),
    await cpuOf(pids),
    process.cpuUsage(),
  ];
  const started = performance.now();
  await fn();
  const ms = performance.now() - started;
  const client = process.cpuUsage(clientBefore);
  return {
    ms,
    read: (await bytesRead(source)) - readBefore,
    daemonCpu: (await cpuOf(pids)) - cpuBefore,
    clientCpu: (client.user + client.system) / 1000,
  };
}

// Deletes the image from every target that has it.
async function clean(client: Client, fingerprint: string): Promise<void> {
  for (const target of TARGETS)
    if (await client.images.exists(target, fingerprint))
      await client.images.delete(target, fingerprint);
}

// The rounds, on a source and four targets already set up.
async function measure(
  { source, client }: { source: Sandbox; client: Client },
  path: string,
  rounds: number,
): Promise<SyncRound[]> {
  const pid = await daemonPid(source);
  const { fingerprint } = await client.images.import('local', path);
  const results: SyncRound[] = [];
  for (let round = 0; round < rounds; round++) {
    const copy = (): Promise<unknown> =>
      client.images.copy('local', fingerprint, 't0', { mode: 'relay' });
    const relay = await measured(pid, copy);
    await clean(client, fingerprint);
    const sync = (): Promise<unknown> =>
      client.images.sync('local', fingerprint, TARGETS, { mode: 'relay' });
    const synced = await measured(pid, sync);
    await clean(client, fingerprint);
    results.push({
      relayMs: relay.ms,
      relayRead: relay.read,
      syncMs: synced.ms,
      syncRead: synced.read,
      syncDaemonCpu: synced.daemonCpu,
      syncClientCpu: synced.clientCpu,
    });
  }
  return results;
}

/**
 * Starts a source and four target sandboxes (listening on loopback), imports a `size`-byte
 * image into the source, and measures `rounds` times a relay copy to one target and a relay
 * `sync` to all four, over REST: wall time, and the bytes the source daemon read (its `rchar`).
 */
export async function syncRounds(
  binary: SandboxBinary,
  size: number,
  rounds: number,
): Promise<SyncRound[]> {
  const start = (): Promise<Sandbox> => startSandbox({ binary, listen: true, instances: false });
  const sandboxes = await Promise.all([start(), ...TARGETS.map(start)]);
  const [source, ...targets] = sandboxes;
  const dir = await mkdtemp(join(tmpdir(), 'lxc-images-bench-sync-'));
  try {
    for (const [i, target] of targets.entries()) await source.addRemote(TARGETS[i] ?? '', target);
    const path = join(dir, 'big.tar');
    await writeBigImage(path, size);
    const client = createClient({ binary, env: source.env, transport: 'rest' });
    return await measure({ source, client }, path, rounds);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await Promise.all(sandboxes.map((s) => s.stop()));
  }
}

/** The table rows of the sync figures: the time ratio and the source read, each against its target. */
export function syncRows(results: readonly SyncRound[], size: number): Row[] {
  const syncMs = median(results.map((r) => r.syncMs));
  const relayMs = median(results.map((r) => r.relayMs));
  const pairRatio = median(results.map((r) => r.syncMs / r.relayMs));
  const read = median(results.map((r) => r.syncRead / size));
  const relayRead = median(results.map((r) => r.relayRead / size));
  const mib = `${(size / MIB).toFixed(0)} MiB`;
  const daemonCpu = median(results.map((r) => r.syncDaemonCpu));
  const clientCpu = median(results.map((r) => r.syncClientCpu));
  return [
    {
      operation: `REST sync of ${mib} to 4 targets (relay)`,
      baseline: `REST relay copy of ${mib} to 1 target`,
      lib: `${syncMs.toFixed(0)} ms`,
      base: `${relayMs.toFixed(0)} ms`,
      ratio: (syncMs / relayMs).toFixed(2),
      pairRatio: pairRatio.toFixed(2),
      target: '≤ 1.5',
      met: pairRatio <= 1.5 ? 'yes' : 'no',
      note:
        `${results.length} rounds, 5 daemons on this machine (${cpus().length} cores): the sync used ` +
        `${(daemonCpu / 1000).toFixed(1)} CPU-s in the daemons and ${(clientCpu / 1000).toFixed(1)} ` +
        `in this process, at least ${((daemonCpu + clientCpu) / cpus().length / relayMs).toFixed(2)}× ` +
        `the relay copy's time on ${cpus().length} cores`,
    },
    {
      operation: `source read by that sync`,
      baseline: 'the image size',
      lib: `${read.toFixed(2)}×`,
      base: '1×',
      ratio: read.toFixed(2),
      pairRatio: read.toFixed(2),
      target: '≤ 1.1×',
      met: read <= 1.1 ? 'yes' : 'no',
      note: `the source daemon's rchar; one relay copy reads ${relayRead.toFixed(2)}×`,
    },
  ];
}

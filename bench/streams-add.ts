import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { add } from '../lib/streams/index.js';
import { peakRss } from './memory.js';
import type { Row } from './report.js';
import { writeBigImage } from './tar.js';

const MB = 1024 ** 2;

/** The figures of one round: `streams.add`, and `sha256sum` plus `cp` of the same file. */
export interface StreamsAddRound {
  addMs: number;
  growth: number;
  sha256sumMs: number;
  cpMs: number;
}

// Wall time of one command (argv, no shell), in ms.
async function timed(file: string, args: string[]): Promise<number> {
  const started = performance.now();
  await execa(file, args, { stdout: 'ignore' });
  return performance.now() - started;
}

/**
 * Adds a `size`-byte unified image to a fresh tree `rounds` times, each after `sha256sum` and
 * `cp` of the same file (the page cache is warm for both), measuring time and peak RSS growth.
 */
export async function streamsAddRounds(size: number, rounds: number): Promise<StreamsAddRound[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lxc-images-bench-streams-'));
  const results: StreamsAddRound[] = [];
  try {
    const image = join(dir, 'big.tar');
    await writeBigImage(image, size);
    for (let round = 0; round < rounds; round++) {
      const sha256sumMs = await timed('sha256sum', [image]);
      const cpMs = await timed('cp', [image, join(dir, 'copy.tar')]);
      await rm(join(dir, 'copy.tar'));
      const tree = join(dir, `tree-${round}`);
      const { growth, ms } = await peakRss(() => add(tree, image, { os: 'bench', release: '1.0' }));
      await rm(tree, { recursive: true, force: true });
      results.push({ addMs: ms, growth, sha256sumMs, cpMs });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

// The median of numbers.
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Table rows for `streams.add` of a `size`-byte image: throughput against the tools, RSS growth. */
export async function streamsAddRows(size: number, rounds = 3): Promise<Row[]> {
  const all = await streamsAddRounds(size, rounds);
  const add = median(all.map((r) => r.addMs));
  const tools = median(all.map((r) => r.sha256sumMs + r.cpMs));
  const pair = median(all.map((r) => (r.sha256sumMs + r.cpMs) / r.addMs));
  const growth = Math.max(...all.map((r) => r.growth));
  const gib = (size / 1024 ** 3).toFixed(0);
  return [
    {
      operation: `streams.add of ${gib} GiB`,
      baseline: 'sha256sum + cp',
      lib: `${add.toFixed(0)} ms`,
      base: `${tools.toFixed(0)} ms`,
      ratio: `${(tools / add).toFixed(2)}× throughput`,
      pairRatio: `${pair.toFixed(2)}× throughput`,
      target: '≥ 0.8×',
      met: pair >= 0.8 ? 'yes' : 'no',
      note: `${rounds} rounds; sha256sum ${median(all.map((r) => r.sha256sumMs)).toFixed(0)} ms, cp ${median(all.map((r) => r.cpMs)).toFixed(0)} ms`,
    },
    {
      operation: `streams.add of ${gib} GiB`,
      baseline: 'RSS before the call',
      lib: `+${(growth / MB).toFixed(1)} MB`,
      base: '—',
      ratio: '—',
      pairRatio: '—',
      target: '≤ +64 MB',
      met: growth <= 64 * MB ? 'yes' : 'no',
      note: 'peak RSS growth, largest of the rounds',
    },
  ];
}

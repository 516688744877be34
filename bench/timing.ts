import { Bench } from 'tinybench';

/** Two async operations timed against each other. */
export interface PairSpec {
  /** The lxc-images side. */
  lib: () => Promise<unknown>;
  /** The baseline side. */
  base: () => Promise<unknown>;
  /** Rounds; each runs both sides, in alternating order. */
  rounds: number;
  /** Iterations of each side per round. */
  perRound: number;
}

/** Medians (ms) of both sides and their ratios. */
export interface PairResult {
  libMedian: number;
  baseMedian: number;
  /** libMedian / baseMedian. */
  ratio: number;
  /** The median of the per-round ratios (lib median / baseline median in each round). */
  pairRatio: number;
  samples: number;
}

/** The median of a list of numbers (NaN when empty). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

// Runs the two sides once each (in the given order) for `iterations` and returns their samples.
async function round(
  order: readonly ['lib' | 'base', () => Promise<unknown>][],
  iterations: number,
): Promise<Record<'lib' | 'base', number[]>> {
  const bench = new Bench({
    time: 0,
    iterations,
    warmup: false,
    retainSamples: true,
    throws: true,
  });
  for (const [name, fn] of order) bench.add(name, fn, { async: true });
  await bench.run();
  const out: Record<'lib' | 'base', number[]> = { lib: [], base: [] };
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    out[task.name as 'lib' | 'base'] = [...(result.latency.samples ?? [])];
  }
  return out;
}

/**
 * Times `lib` against `base` with tinybench, interleaved: many short rounds that alternate
 * which side goes first, so that the machine's noise hits both sides alike.
 */
export async function comparePair(spec: PairSpec): Promise<PairResult> {
  await spec.lib();
  await spec.base();
  const lib: number[] = [];
  const base: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < spec.rounds; r++) {
    const sides: ['lib' | 'base', () => Promise<unknown>][] = [
      ['lib', spec.lib],
      ['base', spec.base],
    ];
    const samples = await round(r % 2 ? sides.reverse() : sides, spec.perRound);
    lib.push(...samples.lib);
    base.push(...samples.base);
    ratios.push(median(samples.lib) / median(samples.base));
  }
  const libMedian = median(lib);
  const baseMedian = median(base);
  return {
    libMedian,
    baseMedian,
    ratio: libMedian / baseMedian,
    pairRatio: median(ratios),
    samples: lib.length,
  };
}

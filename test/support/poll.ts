/** What readers polling a value saw until they were stopped. */
export interface Polled {
  /** Every value read. */
  seen: Set<string>;
  /** How many reads succeeded. */
  reads: number;
  /** The message of every read that failed (`NotFoundError: …`). */
  misses: string[];
}

/** Readers started by {@link startPolling}. */
export interface Polling {
  /** Lets each reader finish its read in flight, then resolves to what they saw (again when called again). */
  stop(): Promise<Polled>;
}

/**
 * Starts one loop per function of `reads`, each calling its function again as soon as the last
 * call settled, until {@link Polling.stop}: to watch a value while something changes it.
 */
export function startPolling(reads: readonly (() => Promise<string>)[]): Polling {
  const polled: Polled = { seen: new Set(), reads: 0, misses: [] };
  const state = { on: true };
  const loop = async (read: () => Promise<string>): Promise<void> => {
    while (state.on)
      await read().then(
        (value) => {
          polled.seen.add(value);
          polled.reads++;
        },
        (error: unknown) => {
          polled.misses.push(error instanceof Error ? `${error.name}: ${error.message}` : 'error');
        },
      );
  };
  const loops = reads.map(loop);
  return {
    async stop(): Promise<Polled> {
      state.on = false;
      await Promise.all(loops);
      return polled;
    },
  };
}

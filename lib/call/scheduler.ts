import { interruption } from '../wire/deadline.js';

interface Waiter {
  start: () => void;
}

/** Limits how many tasks run at once; the rest wait in order, and stop waiting on their signal. */
export class Scheduler {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  /** @param limit most tasks at once (`Infinity` for no limit). */
  constructor(private readonly limit: number) {}

  /**
   * Runs `task` when a slot is free. A `signal` that fires while the task waits takes it out of
   * the queue and rejects with the signal's error; the task never starts.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    // a free slot is taken at once, without a turn through a promise (the hot path of a lone call)
    if (this.running < this.limit && !signal?.aborted) this.running++;
    else await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  // Takes a slot, waiting in line for one when all are busy.
  private acquire(signal: AbortSignal | undefined): Promise<void> {
    const early = signal && interruption(signal);
    if (early) return Promise.reject(early);
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        if (signal) reject(interruption(signal) ?? new Error('aborted'));
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  // Hands the slot to the next waiter, or frees it.
  private release(): void {
    const next = this.waiting.shift();
    if (next) next.start();
    else this.running--;
  }
}

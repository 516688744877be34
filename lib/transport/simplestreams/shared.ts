import { interruption } from '../../wire/deadline.js';
import { AbortError } from '../../wire/errors.js';

/**
 * One piece of work that several callers wait for. Each caller's signal ends only its own
 * wait; the work itself is aborted once every caller has left.
 */
export class SharedWork<T> {
  private readonly controller = new AbortController();
  private waiters = 0;
  private settled = false;
  private readonly promise: Promise<T>;
  /** Resolves once the work has ended, whichever way. */
  readonly finished: Promise<void>;

  constructor(work: (signal: AbortSignal) => Promise<T>) {
    this.promise = work(this.controller.signal);
    const end = (): void => {
      this.settled = true;
    };
    this.finished = this.promise.then(end, end);
  }

  /** True once the work was given up (every caller left): a new caller must start anew. */
  get abandoned(): boolean {
    return this.controller.signal.aborted;
  }

  /** Waits for the work, or rejects with the caller's own abort or timeout. */
  async wait(signal: AbortSignal): Promise<T> {
    const early = interruption(signal);
    if (early) throw early;
    this.waiters++;
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        reject(interruption(signal) ?? new AbortError('the call was aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([this.promise, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.waiters--;
      if (this.waiters === 0 && !this.settled)
        this.controller.abort(new AbortError('every caller of a shared read was aborted'));
    }
  }
}

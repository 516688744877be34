import { Scheduler } from './scheduler.js';

/**
 * Serialises work per key: writes to the same image or alias within one client run one after
 * another, so that a read-modify-write never overwrites a change made by another call.
 */
export class KeyedLocks {
  private readonly locks = new Map<string, { scheduler: Scheduler; users: number }>();

  /** Runs `task` once no other task holds `key`; a `signal` that fires while waiting rejects. */
  async run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let lock = this.locks.get(key);
    if (!lock) {
      lock = { scheduler: new Scheduler(1), users: 0 };
      this.locks.set(key, lock);
    }
    lock.users++;
    try {
      return await lock.scheduler.run(task, signal);
    } finally {
      if (--lock.users === 0) this.locks.delete(key);
    }
  }
}

/** Limits how many tasks run at once; the rest wait in order. */
export class Scheduler {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** @param limit most tasks at once (`Infinity` for no limit). */
  constructor(private readonly limit: number) {}

  /** Runs `task` when a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      // the finishing task hands its slot over, so `running` is not incremented here
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

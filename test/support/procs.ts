import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readdir, readFile } from 'node:fs/promises';

/** Command lines of the running processes whose argv contains `needle`. */
export async function processesWith(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) found.push(cmdline.replaceAll('\0', ' '));
  }
  return found;
}

/** Resolves to what `promise` rejected with, or fails when it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value: unknown) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Runs `fn` and counts the child processes this Node process spawned meanwhile (any API). */
export async function countSpawns(fn: () => Promise<unknown>): Promise<number> {
  let spawned = 0;
  const onSpawn = (): void => {
    spawned++;
  };
  subscribe('child_process', onSpawn);
  try {
    await fn();
  } finally {
    unsubscribe('child_process', onSpawn);
  }
  return spawned;
}

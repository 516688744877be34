import { once } from 'node:events';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { LxcError } from '../wire/errors.js';

/** The lock file of a tree, relative to its root. */
export const LOCK_FILE = '.lock';

// One chain per tree in this process: calls wait their turn here before they ask the kernel.
const chains = new Map<string, Promise<void>>();

// Holds an exclusive flock(2) on `path` through the util-linux `flock` helper running `cat`.
// `cat` echoes once it runs, that is once the lock is held; when this process goes away, even
// by SIGKILL, the pipe closes, `cat` ends and the kernel drops the lock: no stale lock exists.
async function acquireFlock(path: string): Promise<() => Promise<void>> {
  const child = execa('flock', ['--exclusive', path, 'cat'], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
    buffer: { stdout: false, stderr: true },
  });
  const { stdout, stdin } = child;
  const held = once(stdout, 'data').then(
    () => 'held',
    () => 'ended',
  );
  stdin.write('\n');
  const outcome = await Promise.race([held, child.then(() => 'ended')]);
  if (outcome !== 'held') {
    const result = await child;
    throw new LxcError(`could not lock ${path}: ${result.stderr}`.trim());
  }
  stdout.resume();
  return async () => {
    stdin.end();
    await child;
  };
}

/**
 * Runs `work` while holding the tree's lock: one holder at a time in this process (a promise
 * chain) and across processes (flock on `<dir>/.lock`, released by the kernel if the holder dies).
 */
export async function withTreeLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const key = await realpath(dir);
  const before = chains.get(key) ?? Promise.resolve();
  let done: () => void = () => undefined;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const chain = before.then(() => mine);
  chains.set(key, chain);
  await before;
  try {
    const release = await acquireFlock(join(key, LOCK_FILE));
    try {
      return await work();
    } finally {
      await release();
    }
  } finally {
    done();
    if (chains.get(key) === chain) chains.delete(key);
  }
}

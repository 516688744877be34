import { setTimeout as sleep } from 'node:timers/promises';
import { cancelOperation, waitOperation, type Send, type Undo } from '../../call/operation.js';
import type { Target } from '../../requests/request.js';
import type { Operation } from '../../schemas.js';
import type { RunOptions, RunResult, Runner } from './runner.js';

/** How long the client may take to exit by itself once its operation has ended. */
export const GRACE_MS = 2000;

// The operation URL that `lxc --debug` prints once the daemon has created the operation.
const OPERATION_URL = /\/1\.0\/operations\/([0-9a-f]{8}-[0-9a-f-]{27})/;

/** How a watched command ended. */
export interface Watched {
  /** What the client printed, when it exited by itself. */
  result?: RunResult;
  /** The operation, when it ended (successfully) while the client was still waiting for it. */
  operation?: Operation;
}

type Outcome = { op: Operation } | { error: unknown };

/**
 * Runs a client command that creates a server-side operation and waits for it (`image import`,
 * `image copy --mode=relay`), with `--debug` so that its operation id shows on stderr.
 *
 * LXD 5.0.2 can lose an operation's final event (its events listener is registered after the
 * websocket upgrade), and the client then waits forever. So the operation is also waited for
 * with `/wait?timeout=` in a loop; when it has ended and the client is still alive
 * {@link GRACE_MS} later, the client is killed and the outcome taken from the operation.
 *
 * When `signal` fires, the client is killed and the operation cancelled (or, when it cannot be
 * cancelled, left to end and undone with `undo`) before this rejects. When the client died
 * before it printed the operation's id, `orphan` looks for what it may have left.
 */
export async function runWatched(
  run: Runner,
  send: Send,
  args: readonly string[],
  options: RunOptions & { signal: AbortSignal },
  watch: Target,
  undo?: Undo,
  orphan?: () => Promise<void>,
): Promise<Watched> {
  const stopWatching = new AbortController();
  const killClient = new AbortController();
  let id: string | undefined;
  let outcome: Outcome | undefined;
  const watcher = async (opId: string): Promise<void> => {
    const signal = AbortSignal.any([options.signal, stopWatching.signal]);
    try {
      outcome = { op: await waitOperation(send, watch, opId, signal) };
    } catch (error) {
      if (signal.aborted) return;
      outcome = { error };
    }
    await sleep(GRACE_MS, undefined, { signal }).then(
      () => {
        killClient.abort();
      },
      () => undefined,
    );
  };
  const onErrorLine = (line: string): void => {
    options.onErrorLine?.(line);
    const found = OPERATION_URL.exec(line)?.[1];
    if (found === undefined || found === id) return;
    id = found;
    void watcher(found);
  };
  try {
    const result = await run(['--debug', ...args], {
      ...options,
      signal: AbortSignal.any([options.signal, killClient.signal]),
      onErrorLine,
    });
    return { result };
  } catch (error) {
    if (killClient.signal.aborted && !options.signal.aborted && outcome) {
      if ('op' in outcome) return { operation: outcome.op };
      throw outcome.error;
    }
    if (options.signal.aborted) {
      if (id !== undefined) await cancelOperation(send, watch, id, undo);
      else await orphan?.().catch(() => undefined);
    }
    throw error;
  } finally {
    stopWatching.abort();
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { Send, Target } from '../../wire/request.js';
import type { Operation } from '../../wire/schemas.js';
import { cancelOperation, type OperationUndo } from '../../operation/cancel.js';
import { waitOperation } from '../../operation/wait.js';
import type { RunOptions, RunResult, Runner } from './runner.js';

/** How long the client may take to exit by itself once its operation has ended. */
export const GRACE_MS = 2000;

// The operation URL that `lxc --debug` prints once the daemon has created the operation.
const OPERATION_URL = /\/1\.0\/operations\/([0-9a-f]{8}-[0-9a-f-]{27})/;

/** How a watched command ended. */
export interface Watched {
  /** What the client printed, when it exited by itself. */
  result?: RunResult;
  /** The operation, when it ended (successfully) and was seen. */
  operation?: Operation;
}

/** A client command to run and watch. */
export interface WatchedCommand {
  /** The runner, and the send that waits for and cancels the operation (at once, not queued). */
  run: Runner;
  send: Send;
  args: readonly string[];
  options: RunOptions & { signal: AbortSignal };
  /** Where the command's operation runs. */
  watch: Target;
  /** What to undo when the command is aborted and its operation cannot be cancelled. */
  undo?: OperationUndo;
  /** Looks for what a client killed before it printed its operation may have left. */
  orphan?: (() => Promise<void>) | undefined;
}

type Outcome = { op: Operation } | { error: unknown };

// Waits for `task`, at most `ms`.
async function within(task: Promise<void>, ms: number): Promise<void> {
  const timer = new AbortController();
  await Promise.race([task, sleep(ms, undefined, { signal: timer.signal }).catch(() => undefined)]);
  timer.abort();
}

/**
 * Runs a client command that creates a server-side operation and waits for it (`image import`,
 * `image copy --mode=relay`), with `--debug` so that its operation id shows on stderr.
 *
 * LXD 5.0.2 can lose an operation's final event (its events listener is registered after the
 * websocket upgrade), and the client then waits forever. So the operation is also waited for
 * (the shared wait loop); when it has ended and the client is still alive {@link GRACE_MS}
 * later, the client is killed and the outcome taken from the operation. When the client exits
 * by itself, the ended operation is still taken from that wait (for its start time).
 *
 * When `signal` fires, the client is killed and the operation cancelled (or, when it cannot be
 * cancelled, left to end and undone) before this rejects. When the client died before it
 * printed the operation's id, `orphan` looks for what it may have left.
 */
export async function runWatched(command: WatchedCommand): Promise<Watched> {
  const { run, send, args, options, watch } = command;
  const stopWatching = new AbortController();
  const killClient = new AbortController();
  let id: string | undefined;
  let outcome: Outcome | undefined;
  let watching: Promise<void> | undefined;
  const watcher = async (opId: string): Promise<void> => {
    // not the call's signal: once the client has exited, its ended operation is still read
    const { signal } = stopWatching;
    try {
      outcome = { op: await waitOperation({ send, target: watch, id: opId, signal }) };
    } catch (error) {
      if (signal.aborted) return;
      outcome = { error };
    }
    await sleep(GRACE_MS, undefined, { signal: AbortSignal.any([signal, killClient.signal]) }).then(
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
    watching = watcher(found);
  };
  try {
    const signal = AbortSignal.any([options.signal, killClient.signal]);
    const result = await run(['--debug', ...args], { ...options, signal, onErrorLine });
    killClient.abort(); // the client is gone: the watcher need not wait to kill it
    if (watching) await within(watching, GRACE_MS);
    return outcome && 'op' in outcome ? { result, operation: outcome.op } : { result };
  } catch (error) {
    if (killClient.signal.aborted && !options.signal.aborted && outcome) {
      if ('op' in outcome) return { operation: outcome.op };
      throw outcome.error;
    }
    if (options.signal.aborted) {
      if (id !== undefined) await cancelOperation({ send, target: watch, id, undo: command.undo });
      else await command.orphan?.().catch(() => undefined);
    }
    throw error;
  } finally {
    stopWatching.abort();
  }
}

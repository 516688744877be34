import { startDeadline } from '../wire/deadline.js';

/** How long cleanup after an abort may take (cancelling, then removing what still landed). */
export const CLEANUP_MS = 30_000;

/**
 * Runs `task` with a signal of its own that fires after {@link CLEANUP_MS}, not with the call's:
 * for work that must go on once the call is aborted (cleanup, or a request that must not be cut
 * mid-flight), yet must not hang forever on a daemon that stopped answering.
 */
export async function withCleanup<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = startDeadline(CLEANUP_MS, undefined);
  try {
    return await task(deadline.signal);
  } finally {
    deadline.dispose();
  }
}

/** A signal for a request that must not be cut once it has been sent whole. */
export interface Uncut {
  /** Follows the call's signal until {@link Uncut.sent}; after that it fires only {@link CLEANUP_MS} after it. */
  readonly signal: AbortSignal;
  /** Says that the request has been sent whole: the daemon now makes what it asked for. */
  sent: () => void;
  /** Stops following the call's signal. */
  dispose(): void;
}

/**
 * The one rule for requests that start server work (an operation, a token, an upload): an abort
 * may cut such a request while it is being sent, but not once it has been sent whole, since the
 * daemon then makes an operation whose id nobody would know. After that the request gets
 * {@link CLEANUP_MS} to answer, so that its caller can cancel or undo what it started.
 */
export function uncut(signal: AbortSignal): Uncut {
  const controller = new AbortController();
  let sent = false;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    if (!sent) controller.abort(signal.reason);
    else
      timer ??= setTimeout(() => {
        controller.abort(signal.reason);
      }, CLEANUP_MS).unref();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    sent: () => {
      sent = true;
    },
    dispose() {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    },
  };
}

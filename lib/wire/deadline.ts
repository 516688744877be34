import { setMaxListeners } from 'node:events';
import { AbortError, TimeoutError, type LxcError, type LxcErrorDetails } from './errors.js';

/** The longest timeout a timer can hold (Node clamps longer delays to 1 ms). */
export const MAX_TIMEOUT = 2_147_483_647;

/** A call's deadline: one signal that fires on its `timeout` or its caller's `signal`. */
export interface Deadline {
  /** Aborted, with a {@link TimeoutError} or {@link AbortError} as its reason, when the call must stop. */
  readonly signal: AbortSignal;
  /** Stops the timer and the link to the caller's signal. */
  dispose(): void;
}

/**
 * Starts a call's deadline now, so that `timeout` and `signal` count from the moment the call
 * is made, including the time spent waiting for a concurrency slot or a write lock.
 */
export function startDeadline(
  timeout: number | undefined,
  signal: AbortSignal | undefined,
): Deadline {
  const controller = new AbortController();
  // every request of the call listens to it (a prune's 50 deletes at once): no leak warning
  setMaxListeners(0, controller.signal);
  const onAbort = (): void => {
    const reason: unknown = signal?.reason;
    // a call's own deadline passes through as it is, so that a timeout stays a timeout
    const passOn = reason instanceof TimeoutError || reason instanceof AbortError;
    controller.abort(passOn ? reason : new AbortError('the call was aborted', { cause: reason }));
  };
  const timer =
    timeout === undefined
      ? undefined
      : setTimeout(() => {
          controller.abort(new TimeoutError(`the call timed out after ${timeout} ms`));
        }, timeout);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * The error to reject with once `signal` has fired: a new {@link TimeoutError} or
 * {@link AbortError} (whichever fired) with `details` about what was running, or `undefined`
 * while the signal has not fired.
 */
export function interruption(
  signal: AbortSignal,
  details: LxcErrorDetails = {},
): LxcError | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  if (reason instanceof TimeoutError) return new TimeoutError(reason.message, details);
  const cause: unknown = reason instanceof AbortError ? reason.cause : reason;
  return new AbortError(reason instanceof AbortError ? reason.message : 'the call was aborted', {
    ...details,
    cause: details.cause ?? cause,
  });
}

/** Throws the deadline's error if it has fired. */
export function throwIfInterrupted(signal: AbortSignal, details?: LxcErrorDetails): void {
  const error = interruption(signal, details);
  if (error) throw error;
}
